import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * When a retried webhook's next attempt is; bulk replays with their progress; rate limits per
 * API key and per tenant (null: the next one up, then RATE_LIMIT_PER_MINUTE).
 */
export class RetriesReplaysRateLimits1765100000000 implements MigrationInterface {
  name = 'RetriesReplaysRateLimits1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.addColumn('webhooks', new TableColumn({ name: 'next_attempt_at', type: timestamp, isNullable: true }));
    await queryRunner.addColumn('api_keys', new TableColumn({ name: 'rate_limit_per_minute', type: 'integer', isNullable: true }));
    await queryRunner.addColumn('tenants', new TableColumn({ name: 'rate_limit_per_minute', type: 'integer', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'replays',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'filter', type: 'text' },
          { name: 'total', type: 'integer' },
          { name: 'done', type: 'integer' },
          { name: 'failed', type: 'integer' },
          { name: 'cursor', type: 'text', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'created_at', type: timestamp },
          { name: 'finished_at', type: timestamp, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['tenant_id'], referencedTableName: 'tenants', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('replays');
    await queryRunner.dropColumn('tenants', 'rate_limit_per_minute');
    await queryRunner.dropColumn('api_keys', 'rate_limit_per_minute');
    await queryRunner.dropColumn('webhooks', 'next_attempt_at');
  }
}
