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
import { InstanceWebhookIndex1765800000000 } from '../src/database/migrations/1765800000000-instance-webhook-index.js';
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
          /^SEARCH \w+ USING (INDEX (sqlite_autoindex|ix_process_instances_webhook|ix_process_instances_resumed_by|ix_correlation_waits_key)|PRIMARY KEY)/,
        ),
      });
      expect(details).not.toContain('ix_process_instances_started');
      expect(details).not.toContain('SCAN');
    }
    sqlite.close();
  });
});

describe.each(databaseKinds())('upgrading a database that has runs (%s)', (kind) => {
  let database: TestDatabase | undefined;
  const open: DataSource[] = [];

  afterEach(async () => {
    await Promise.all(open.splice(0).map((dataSource) => dataSource.destroy()));
    await database?.drop();
  });

  it('keeps what each run was: its webhook, its end, and the index that finds a webhook’s instances', async () => {
    database = await createDatabase(kind);
    const options = dataSourceOptions(parseDatabaseUrl(database.url));
    const upTo = MIGRATIONS.findIndex((migration) => migration.name === 'ProcessInstances1765400000000');
    const before = await new DataSource({ ...options, migrations: MIGRATIONS.slice(0, upTo) }).initialize();
    open.push(before);
    await migrate(before);
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    const finishedAt = new Date('2026-11-20T10:00:05.000Z');
    const time = (at: Date) => (kind === 'postgres' ? at : at.toISOString());
    await before.query(
      `INSERT INTO process_runs (id, tenant_id, webhook_id, process_id, process_version, status, error_code, reason, trace, record_ids, started_at, finished_at)
       VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(p).join(', ')})`,
      ['run-1', 'tenant-1', 'webhook-1', 'some-process', 1, 'succeeded', null, null, '[]', '[]', time(new Date('2026-11-20T10:00:00.000Z')), time(finishedAt)],
    );
    await before.destroy();
    open.splice(0);

    const after = await new DataSource(options).initialize();
    open.push(after);
    await migrate(after);
    const [run] = await after.query(`SELECT webhook_id, status, finished_at FROM process_instances WHERE id = ${p(1)}`, ['run-1']);
    expect({ webhookId: run.webhook_id, status: run.status, finishedAt: new Date(run.finished_at).toISOString() }).toEqual({
      webhookId: 'webhook-1',
      status: 'completed',
      finishedAt: finishedAt.toISOString(),
    });
    const runner = after.createQueryRunner();
    const table = await runner.getTable('process_instances');
    await runner.release();
    expect(table?.indices.map((index) => [index.name, index.columnNames]).find(([name]) => name === 'ix_process_instances_webhook')).toEqual([
      'ix_process_instances_webhook',
      ['tenant_id', 'webhook_id'],
    ]);
  });

  it('on PostgreSQL, repairs what earlier upgrades lost: each instance’s webhook (from the webhooks’ run ids) and the end of ended ones', async () => {
    if (kind !== 'postgres') return expect(kind).toBe('sqlite');
    database = await createDatabase(kind);
    const dataSource = await new DataSource(dataSourceOptions(parseDatabaseUrl(database.url))).initialize();
    open.push(dataSource);
    await migrate(dataSource);
    const started = new Date('2026-11-20T10:00:00.000Z');
    const processed = new Date('2026-11-20T10:00:02.000Z');
    await dataSource.query(
      `INSERT INTO webhooks (id, tenant_id, api_key_id, api_key_name, received_at, content_type, payload, status, record_ids, run_ids, processed_at)
       VALUES ('webhook-1', 'tenant-1', 'key-1', 'Key', $1, 'application/json', '{}', 'processed', '[]', '["run-1","run-2"]', $2)`,
      [started, processed],
    );
    for (const [id, status] of [
      ['run-1', 'completed'],
      ['run-2', 'waiting'],
    ]) {
      await dataSource.query(
        `INSERT INTO process_instances (id, tenant_id, webhook_id, process_id, process_version, status, trace, record_ids, started_at, finished_at)
         VALUES ($1, 'tenant-1', NULL, 'p', 1, $2, '[]', '[]', $3, NULL)`,
        [id, status, started],
      );
    }
    const runner = dataSource.createQueryRunner();
    await new InstanceWebhookIndex1765800000000().up(runner);
    await runner.release();
    const rows = await dataSource.query(`SELECT id, webhook_id, finished_at FROM process_instances ORDER BY id`);
    expect(
      rows.map((row: { id: string; webhook_id: string; finished_at: Date | null }) => [row.id, row.webhook_id, row.finished_at?.toISOString() ?? null]),
    ).toEqual([
      ['run-1', 'webhook-1', processed.toISOString()],
      ['run-2', 'webhook-1', null],
    ]);
  });
});
