import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** People who sign in to the web console, their roles per tenant, their sessions and failed sign-ins. */
export class ConsoleUsers1764800000000 implements MigrationInterface {
  name = 'ConsoleUsers1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'console_users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'email', type: 'varchar', length: '254', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '200' },
          { name: 'platform_admin', type: 'boolean', default: false },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'console_user_roles',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'role', type: 'varchar', length: '16' },
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'console_users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['tenant_id'], referencedTableName: 'tenants', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'console_sessions',
        columns: [
          // SHA-256 of the session token: a copy of the database signs nobody in.
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'csrf_token', type: 'varchar', length: '64' },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
        ],
        foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'console_users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
    await queryRunner.createIndex('console_sessions', new TableIndex({ name: 'ix_console_sessions_expires', columnNames: ['expires_at'] }));
    await queryRunner.createTable(
      new Table({
        name: 'console_sign_in_failures',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // "email:<address>" or "ip:<address>": one row counts against both limits.
          { name: 'subject', type: 'varchar', length: '300' },
          { name: 'failed_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createIndex(
      'console_sign_in_failures',
      new TableIndex({ name: 'ix_console_sign_in_failures_subject', columnNames: ['subject', 'failed_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('console_sign_in_failures');
    await queryRunner.dropTable('console_sessions');
    await queryRunner.dropTable('console_user_roles');
    await queryRunner.dropTable('console_users');
  }
}
