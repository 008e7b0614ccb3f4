import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/** Per-tenant overrides and custom processes: which version runs, and every saved version. */
export class TenantProcessVersions1764500000000 implements MigrationInterface {
  name = 'TenantProcessVersions1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.addColumns('tenant_processes', [
      new TableColumn({ name: 'source', type: 'varchar', length: '16', default: "'base'" }),
      new TableColumn({ name: 'version', type: 'integer', isNullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'process_versions',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'process_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'definition', type: 'text' },
          { name: 'note', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('process_versions');
    await queryRunner.dropColumn('tenant_processes', 'version');
    await queryRunner.dropColumn('tenant_processes', 'source');
  }
}
