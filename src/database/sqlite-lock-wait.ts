import { DataSource, type DataSourceOptions, type ObjectLiteral } from 'typeorm';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver.js';

// SQLite's own busy handler sleeps about this long between tries; so do we, then 100 ms.
const PAUSES_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50];
const LONGEST_PAUSE_MS = 100;

/**
 * Waits for SQLite's write lock without blocking the process.
 *
 * better-sqlite3 is synchronous, so SQLite's own busy timeout sleeps on the event loop: while
 * another process held the lock (a backup, the CLI, a second worker), every webhook request and
 * every Redis reply of the process would wait too, and enqueue timeouts would answer 503 for
 * jobs Redis had in fact stored. Here the driver gives up at once and the statement is tried
 * again after a timer, until the busy timeout has passed.
 */
class LockWaitingQueryRunner extends BetterSqlite3QueryRunner {
  constructor(
    driver: BetterSqlite3Driver,
    private readonly timeoutMs: number,
  ) {
    super(driver);
  }

  // `any`: the signature TypeORM's QueryRunner.query declares, which this overrides.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override async query(query: string, parameters?: unknown[] | ObjectLiteral, useStructuredResult?: boolean): Promise<any> {
    return waitingForLock(() => super.query(query, parameters, useStructuredResult), this.timeoutMs);
  }
}

/** Tries `attempt` until it does not fail with SQLITE_BUSY or the busy timeout has passed, pausing on timers in between. */
async function waitingForLock<T>(attempt: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      // SQLITE_BUSY_SNAPSHOT and the like cannot be cured by trying the statement again.
      const left = deadline - Date.now();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || left <= 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(PAUSES_MS[tries] ?? LONGEST_PAUSE_MS, left)));
    }
  }
}

/**
 * Runs `work` in one SQLite transaction, its statements (as TypeORM's query builders make them)
 * executed synchronously: the process's jobs share the one connection, so with awaits between
 * the statements another job's statements would fall inside the transaction. Waits for the
 * write lock as every query does. `run` answers the rows a statement changed.
 */
export function inOneSqliteTransaction<T>(dataSource: DataSource, work: (run: (sql: string, parameters: unknown[]) => number) => T): Promise<T> {
  const driver = dataSource.driver as BetterSqlite3Driver;
  const database = driver.databaseConnection;
  const run = (sql: string, parameters: unknown[]) =>
    database.prepare(sql).run(...parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value))).changes;
  const transaction = database.transaction(() => work(run));
  return waitingForLock(() => transaction(), (driver.options as { timeout?: number }).timeout ?? 0);
}

/** Opens the data source; on SQLite, lock waits then happen between statements, on timers. */
export async function initializeDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  if (options.type !== 'better-sqlite3') return dataSource.initialize();
  // The driver keeps one query runner for its one connection: this is it.
  const driver = dataSource.driver as BetterSqlite3Driver;
  driver.queryRunner = new LockWaitingQueryRunner(driver, options.timeout ?? 0);
  await dataSource.initialize();
  // Connecting waited synchronously (turning WAL on may need the lock); nothing else ran yet.
  driver.databaseConnection.pragma('busy_timeout = 0');
  return dataSource;
}
