import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Parameter names seen per API key, and the drift events found from them. */
export class ParameterDrift1765300000000 implements MigrationInterface {
  name = 'ParameterDrift1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    const key = { columnNames: ['api_key_id'], referencedTableName: 'api_keys', referencedColumnNames: ['id'], onDelete: 'CASCADE' };
    await queryRunner.createTable(
      new Table({
        name: 'parameter_watches',
        columns: [
          { name: 'api_key_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '36' },
          { name: 'webhooks_seen', type: 'integer' },
        ],
        foreignKeys: [key],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'parameter_stats',
        columns: [
          { name: 'api_key_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '36' },
          { name: 'first_seen_at', type: timestamp },
          { name: 'last_seen_at', type: timestamp },
          { name: 'seen_count', type: 'integer' },
          { name: 'mapped_count', type: 'integer' },
          { name: 'last_seen_webhook', type: 'integer' },
        ],
        foreignKeys: [key],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'drift_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '36' },
          { name: 'api_key_id', type: 'varchar', length: '36' },
          { name: 'parameter', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'first_seen_at', type: timestamp },
          { name: 'count', type: 'integer' },
          { name: 'detected_at', type: timestamp },
          { name: 'resolved_at', type: timestamp, isNullable: true },
        ],
        foreignKeys: [key],
      }),
    );
    await queryRunner.createIndex('drift_events', new TableIndex({ name: 'ix_drift_events_key', columnNames: ['api_key_id', 'resolved_at'] }));
    await queryRunner.createIndex('drift_events', new TableIndex({ name: 'ix_drift_events_tenant', columnNames: ['tenant_id', 'detected_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('drift_events');
    await queryRunner.dropTable('parameter_stats');
    await queryRunner.dropTable('parameter_watches');
  }
}
