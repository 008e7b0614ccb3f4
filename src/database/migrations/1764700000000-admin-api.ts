import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/** OAuth clients and shared settings of the admin API; key rotation and use; safe webhook headers. */
export class AdminApi1764700000000 implements MigrationInterface {
  name = 'AdminApi1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'oauth_clients',
        columns: [
          { name: 'client_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'secret_hash', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'tenant_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'scopes', type: 'text' },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settings',
        columns: [
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'value', type: 'text' },
        ],
      }),
    );
    await queryRunner.addColumns('api_keys', [
      new TableColumn({ name: 'previous_key_hash', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'previous_valid_until', type: timestamp, isNullable: true }),
      new TableColumn({ name: 'last_used_at', type: timestamp, isNullable: true }),
      new TableColumn({ name: 'signature', type: 'text', isNullable: true }),
    ]);
    await queryRunner.createIndex('api_keys', new TableIndex({ name: 'ix_api_keys_previous_hash', columnNames: ['previous_key_hash'] }));
    await queryRunner.addColumn('webhooks', new TableColumn({ name: 'headers', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhooks', 'headers');
    await queryRunner.dropIndex('api_keys', 'ix_api_keys_previous_hash');
    for (const column of ['signature', 'last_used_at', 'previous_valid_until', 'previous_key_hash']) await queryRunner.dropColumn('api_keys', column);
    await queryRunner.dropTable('settings');
    await queryRunner.dropTable('oauth_clients');
  }
}
