import { afterEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/config.js';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options.js';
import { migrate } from '../src/database/migrate.js';
import { initializeDataSource } from '../src/database/sqlite-lock-wait.js';
import { RecordsRepository } from '../src/catalogue/records.repository.js';
import { RecordEntity } from '../src/catalogue/record.entity.js';
import Sqlite from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { ProcessInstance } from '../src/engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../src/engine/process-instances.repository.js';
import { CorrelationWait } from '../src/engine/correlation-wait.entity.js';
import { WaitSubscription } from '../src/engine/wait-subscription.entity.js';
import { CorrelationRepository } from '../src/engine/correlation.repository.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';

describe.each(databaseKinds())('schema migrations (%s)', (kind) => {
  let database: TestDatabase | undefined;
  const open: DataSource[] = [];

  afterEach(async () => {
    await Promise.all(open.splice(0).map((dataSource) => dataSource.destroy()));
    await database?.drop();
  });

  async function connect(): Promise<DataSource> {
    const dataSource = await new DataSource(dataSourceOptions(parseDatabaseUrl(database!.url))).initialize();
    open.push(dataSource);
    return dataSource;
  }

  it('several processes starting at once migrate the schema exactly once', async () => {
    database = await createDatabase(kind);
    const replicas = kind === 'postgres' ? 3 : 1;
    const sources = await Promise.all(Array.from({ length: replicas }, connect));
    await Promise.all(sources.map(migrate));

    const names = MIGRATIONS.map((migration) => ({ name: migration.name }));
    expect(await sources[0].query('SELECT name FROM migrations ORDER BY id')).toEqual(names);
    // One query runner, released: each holds a pooled connection.
    const runner = sources[0].createQueryRunner();
    for (const table of [
      'tenants',
      'api_keys',
      'catalogue_objects',
      'catalogue_columns',
      'records',
      'webhooks',
      'tenant_processes',
      'process_versions',
      'process_instances',
      'correlation_waits',
      'wait_subscriptions',
    ]) {
      expect(await runner.hasTable(table)).toBe(true);
    }
    await runner.release();
    // A later start finds nothing to do.
    await migrate(await connect());
    expect(await sources[0].query('SELECT name FROM migrations')).toHaveLength(names.length);
  });
});

describe.each(databaseKinds())('records written together (%s)', (kind) => {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;

  afterEach(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('concurrent runs writing the same source keys get one record per key, and its id', async () => {
    database = await createDatabase(kind);
    dataSource = await initializeDataSource({ ...dataSourceOptions(parseDatabaseUrl(database.url)), entities: [RecordEntity] });
    await migrate(dataSource);
    const records = new RecordsRepository(dataSource);
    const now = new Date();
    const record = (sourceKey: string) =>
      Object.assign(new RecordEntity(), {
        tenantId: 't1',
        id: randomUUID(),
        objectName: 'Lead',
        data: { sourceKey },
        createdOn: now,
        modifiedOn: now,
        sourceKey,
      });
    // Each key twice in the same turn: both land in one statement, and one of the two is ignored.
    const keys = Array.from({ length: 30 }, (_, i) => `webhook-${i % 15}`);
    const ids = await Promise.all(keys.map((key) => records.insertOnce(record(key))));

    const rows: { id: string; source_key: string }[] = await dataSource.query('SELECT id, source_key FROM records');
    expect(rows).toHaveLength(15);
    const byKey = new Map(rows.map((row) => [row.source_key, row.id]));
    expect(ids).toEqual(keys.map((key) => byKey.get(key)));
  });
});

describe('the lookups of a resumed run use the index of what they look up (SQLite query plans)', () => {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;

  afterEach(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('reads a webhook’s instances, the instances a webhook resumed and the waits for a key without scanning the tenant', async () => {
    database = await createDatabase('sqlite');
    const statements: string[] = [];
    const logger = {
      logQuery: (query: string) => statements.push(query),
      logQueryError() {},
      logQuerySlow() {},
      logSchemaBuild() {},
      logMigration() {},
      log() {},
    };
    dataSource = await initializeDataSource({
      ...dataSourceOptions(parseDatabaseUrl(database.url)),
      entities: [ProcessInstance, CorrelationWait, WaitSubscription],
      logging: ['query'],
      logger,
    });
    await migrate(dataSource);
    const instances = new ProcessInstancesRepository(dataSource);
    const correlation = new CorrelationRepository(dataSource);
    statements.length = 0;
    await instances.listByWebhook('tenant', 'webhook');
    await instances.resumedBy('tenant', 'webhook');
    await instances.get('tenant', 'instance');
    await correlation.waiting('tenant', 'subscription', 'key', 10);
    expect(statements).toHaveLength(4);
    const sqlite = new Sqlite(database.url.slice('sqlite:'.length), { readonly: true });
    for (const sql of statements) {
      const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.match(/\?/g) ?? []).map(() => 'x')) as Array<{ detail: string }>;
      const details = plan.map((row) => row.detail).join(' | ');
      // Each goes straight to its rows: by primary key, or by an index on what it looks up.
      expect({ sql, details }).toEqual({
        sql,
        details: expect.stringMatching(
          /^SEARCH \w+ USING (INDEX (sqlite_autoindex|ix_process_runs_webhook|ix_process_instances_resumed_by|ix_correlation_waits_key)|PRIMARY KEY)/,
        ),
      });
      expect(details).not.toContain('ix_process_instances_started');
      expect(details).not.toContain('SCAN');
    }
    sqlite.close();
  });
});
