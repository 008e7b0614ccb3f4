import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index that finds a webhook's instances, under the table's name. On PostgreSQL, databases
 * upgraded by earlier versions of 1765400000000 and 1765500000000 lost it with the values of
 * `webhook_id` and `finished_at` (TypeORM re-added those columns): the webhook of each instance
 * is found again from the webhooks' `run_ids`, and the end of an ended instance from its
 * webhook's processing time (or, lacking that, its start). Nothing to repair elsewhere.
 */
export class InstanceWebhookIndex1765800000000 implements MigrationInterface {
  name = 'InstanceWebhookIndex1765800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(`
        UPDATE process_instances i SET webhook_id = r.webhook_id
        FROM (SELECT w.id AS webhook_id, json_array_elements_text(w.run_ids::json) AS run_id
              FROM webhooks w WHERE w.run_ids IS NOT NULL AND w.run_ids LIKE '[%') r
        WHERE i.id = r.run_id AND i.webhook_id IS NULL AND i.trigger IS NULL`);
      await queryRunner.query(`
        UPDATE process_instances i SET finished_at = COALESCE(w.processed_at, i.started_at)
        FROM webhooks w
        WHERE w.id = i.webhook_id AND i.finished_at IS NULL AND i.status NOT IN ('running', 'waiting')`);
      await queryRunner.query(`UPDATE process_instances SET finished_at = started_at WHERE finished_at IS NULL AND status NOT IN ('running', 'waiting')`);
    }
    await queryRunner.query('DROP INDEX IF EXISTS ix_process_runs_webhook');
    await queryRunner.query('CREATE INDEX IF NOT EXISTS ix_process_instances_webhook ON process_instances (tenant_id, webhook_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS ix_process_instances_webhook');
    await queryRunner.query('CREATE INDEX IF NOT EXISTS ix_process_runs_webhook ON process_instances (tenant_id, webhook_id)');
  }
}
