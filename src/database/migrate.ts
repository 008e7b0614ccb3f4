import type { DataSource } from 'typeorm';

// Any constant shared by every Hookflow process: it names the lock, nothing else.
const MIGRATION_LOCK = 7_270_700;

/**
 * Brings the schema up to date. On PostgreSQL several API and worker replicas may start at
 * once; an advisory lock lets one migrate while the others wait and then find nothing to do.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'all' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
