import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved override versions remember the base definition they were made from (so a base upgrade
 * can be shown and merged), and records created by an upsert hold their key, unique per object,
 * so two concurrent upserts of the same new key cannot both create. Plain ALTER TABLE: on
 * SQLite, TypeORM's addColumn would copy the whole records table.
 */
export class BaseUpgradesUpsertKeys1765000000000 implements MigrationInterface {
  name = 'BaseUpgradesUpsertKeys1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE process_versions ADD COLUMN base_version integer');
    await queryRunner.query('ALTER TABLE process_versions ADD COLUMN base_definition text');
    await queryRunner.query('ALTER TABLE records ADD COLUMN upsert_column varchar(64)');
    await queryRunner.query('ALTER TABLE records ADD COLUMN upsert_key varchar(64)');
    // NULLs are distinct in a unique index on both databases: records without a key never collide.
    await queryRunner.query('CREATE UNIQUE INDEX records_upsert_key ON records (tenant_id, object_name, upsert_key)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX records_upsert_key');
    for (const [table, column] of [
      ['records', 'upsert_key'],
      ['records', 'upsert_column'],
      ['process_versions', 'base_definition'],
      ['process_versions', 'base_version'],
    ]) {
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
  }
}
