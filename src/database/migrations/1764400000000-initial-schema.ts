import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/** The first schema, written with TypeORM's Table API so one migration serves SQLite and PostgreSQL. */
export class InitialSchema1764400000000 implements MigrationInterface {
  name = 'InitialSchema1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    const id = (name: string, length = 36): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
    const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: timestamp, isNullable: nullable });
    const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean' });
    const primary = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isPrimary: true });

    await queryRunner.createTable(new Table({ name: 'tenants', columns: [primary(id('id')), id('name', 200), time('created_at')] }));
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [primary(id('id')), id('tenant_id'), id('name', 200), id('key_hash', 64), id('key_prefix', 16), time('created_at'), time('revoked_at', true)],
        indices: [
          new TableIndex({ name: 'uq_api_keys_key_hash', columnNames: ['key_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_api_keys_tenant', columnNames: ['tenant_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'catalogue_objects',
        columns: [primary(id('tenant_id')), primary(id('name', 64)), id('caption', 200), id('form_id'), bool('in_webhook_lookup'), id('display_column', 64)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'catalogue_columns',
        columns: [
          primary(id('tenant_id')),
          primary(id('object_name', 64)),
          primary(id('name', 64)),
          id('caption', 200),
          id('type', 32),
          bool('required'),
          { ...id('lookup_object', 64), isNullable: true },
          { name: 'position', type: 'integer' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'records',
        columns: [
          primary(id('tenant_id')),
          primary(id('id')),
          id('object_name', 64),
          text('data'),
          time('created_on'),
          time('modified_on'),
          { ...id('source_key', 200), isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_records_object', columnNames: ['tenant_id', 'object_name', 'created_on'] }),
          new TableIndex({ name: 'uq_records_source_key', columnNames: ['tenant_id', 'source_key'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          primary(id('id')),
          id('tenant_id'),
          id('api_key_id'),
          time('received_at'),
          id('content_type', 100),
          text('payload'),
          id('status', 16),
          text('reason', true),
          text('record_ids'),
          time('processed_at', true),
        ],
        indices: [new TableIndex({ name: 'ix_webhooks_tenant_received', columnNames: ['tenant_id', 'received_at'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tenant_processes',
        columns: [primary(id('tenant_id')), primary(id('process_id', 100)), bool('active'), time('updated_at')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'process_runs',
        columns: [
          primary(id('id')),
          id('tenant_id'),
          id('webhook_id'),
          id('process_id', 100),
          { name: 'process_version', type: 'integer' },
          id('status', 16),
          { ...id('error_code', 32), isNullable: true },
          text('reason', true),
          text('trace'),
          text('record_ids'),
          time('started_at'),
          time('finished_at'),
        ],
        indices: [new TableIndex({ name: 'ix_process_runs_webhook', columnNames: ['tenant_id', 'webhook_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['process_runs', 'tenant_processes', 'webhooks', 'records', 'catalogue_columns', 'catalogue_objects', 'api_keys', 'tenants']) {
      await queryRunner.dropTable(table);
    }
  }
}
