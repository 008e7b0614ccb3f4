import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Instances that no webhook started (a schedule's tick; later, another process or a record):
 * no webhook id, their trigger and their `$` kept on the instance itself.
 */
export class InstanceTriggers1765500000000 implements MigrationInterface {
  name = 'InstanceTriggers1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Not changeColumn on PostgreSQL: it drops and re-adds the column (its values and its index lost).
    if (queryRunner.connection.options.type === 'postgres') await queryRunner.query('ALTER TABLE process_instances ALTER COLUMN webhook_id DROP NOT NULL');
    else
      await queryRunner.changeColumn(
        'process_instances',
        'webhook_id',
        new TableColumn({ name: 'webhook_id', type: 'varchar', length: '36', isNullable: true }),
      );
    await queryRunner.addColumns('process_instances', [
      new TableColumn({ name: 'trigger', type: 'text', isNullable: true }),
      new TableColumn({ name: 'payload', type: 'text', isNullable: true }),
    ]);
    // Retention of instances without a webhook: by status and end.
    await queryRunner.createIndex('process_instances', new TableIndex({ name: 'ix_process_instances_finished', columnNames: ['status', 'finished_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('process_instances', 'ix_process_instances_finished');
    await queryRunner.dropColumn('process_instances', 'payload');
    await queryRunner.dropColumn('process_instances', 'trigger');
    await queryRunner.query(`DELETE FROM process_instances WHERE webhook_id IS NULL`);
    if (queryRunner.connection.options.type === 'postgres') await queryRunner.query('ALTER TABLE process_instances ALTER COLUMN webhook_id SET NOT NULL');
    else await queryRunner.changeColumn('process_instances', 'webhook_id', new TableColumn({ name: 'webhook_id', type: 'varchar', length: '36' }));
  }
}
