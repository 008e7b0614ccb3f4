import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Each process of a webhook runs as its own job; the webhook remembers the runs it waits for. */
export class WebhookRunIds1764600000000 implements MigrationInterface {
  name = 'WebhookRunIds1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('webhooks', [
      new TableColumn({ name: 'run_ids', type: 'text', isNullable: true }),
      new TableColumn({ name: 'api_key_name', type: 'varchar', length: '200', default: "''" }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhooks', 'api_key_name');
    await queryRunner.dropColumn('webhooks', 'run_ids');
  }
}
