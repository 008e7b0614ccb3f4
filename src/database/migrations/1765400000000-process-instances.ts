import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * Runs become process instances: they can wait (for a time, for a webhook), be resumed,
 * cancelled and retried from the step that failed. Waits for webhooks get an indexed table of
 * their correlation keys, and a small one of the steps instances wait at, per tenant.
 */
export class ProcessInstances1765400000000 implements MigrationInterface {
  name = 'ProcessInstances1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    const id = (name: string, length = 36): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
    const nullable = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isNullable: true });
    await queryRunner.renameTable('process_runs', 'process_instances');
    await queryRunner.query(`UPDATE process_instances SET status = 'completed' WHERE status = 'succeeded'`);
    // On PostgreSQL, TypeORM's changeColumn drops and re-adds a column whose type it spells
    // differently (timestamptz, "timestamp with time zone"): its values would be lost.
    if (queryRunner.connection.options.type === 'postgres') await queryRunner.query('ALTER TABLE process_instances ALTER COLUMN finished_at DROP NOT NULL');
    else await queryRunner.changeColumn('process_instances', 'finished_at', new TableColumn(nullable({ name: 'finished_at', type: timestamp })));
    await queryRunner.addColumns('process_instances', [
      new TableColumn(nullable(id('process_source', 16))),
      new TableColumn({ name: 'seq', type: 'integer', default: 0 }),
      new TableColumn(nullable({ name: 'state', type: 'text' })),
      new TableColumn(nullable({ name: 'waits', type: 'text' })),
      new TableColumn(nullable({ name: 'wake_at', type: timestamp })),
      new TableColumn(nullable({ name: 'resumption', type: 'text' })),
      new TableColumn(nullable(id('resumed_by'))),
      new TableColumn(nullable({ name: 'updated_at', type: timestamp })),
    ]);
    await queryRunner.createIndices('process_instances', [
      new TableIndex({ name: 'ix_process_instances_wake', columnNames: ['status', 'wake_at'] }),
      new TableIndex({ name: 'ix_process_instances_started', columnNames: ['tenant_id', 'started_at'] }),
      new TableIndex({ name: 'ix_process_instances_resumed_by', columnNames: ['tenant_id', 'resumed_by'] }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'correlation_waits',
        columns: [
          { ...id('id'), isPrimary: true },
          id('tenant_id'),
          id('subscription', 64),
          id('correlation_key', 200),
          id('instance_id'),
          { name: 'instance_seq', type: 'integer' },
          id('step', 300),
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'ix_correlation_waits_key', columnNames: ['tenant_id', 'subscription', 'correlation_key', 'created_at'] }),
          new TableIndex({ name: 'ix_correlation_waits_instance', columnNames: ['instance_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'wait_subscriptions',
        columns: [
          { ...id('tenant_id'), isPrimary: true },
          { ...id('id', 64), isPrimary: true },
          id('process_id', 100),
          { name: 'process_version', type: 'integer' },
          id('source', 16),
          id('step_id', 100),
          { name: 'touched_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.addColumn('webhooks', new TableColumn({ name: 'resumed_ids', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhooks', 'resumed_ids');
    await queryRunner.dropTable('wait_subscriptions');
    await queryRunner.dropTable('correlation_waits');
    for (const index of ['ix_process_instances_wake', 'ix_process_instances_started', 'ix_process_instances_resumed_by']) {
      await queryRunner.dropIndex('process_instances', index);
    }
    for (const column of ['process_source', 'seq', 'state', 'waits', 'wake_at', 'resumption', 'resumed_by', 'updated_at'])
      await queryRunner.dropColumn('process_instances', column);
    await queryRunner.query(`UPDATE process_instances SET finished_at = started_at WHERE finished_at IS NULL`);
    await queryRunner.query(`UPDATE process_instances SET status = 'succeeded' WHERE status = 'completed'`);
    await queryRunner.renameTable('process_instances', 'process_runs');
  }
}
