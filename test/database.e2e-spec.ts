import { afterEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/config.js';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options.js';
import { migrate } from '../src/database/migrate.js';
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
    for (const table of ['tenants', 'api_keys', 'catalogue_objects', 'catalogue_columns', 'records', 'webhooks', 'tenant_processes', 'process_versions', 'process_runs']) {
      expect(await sources[0].createQueryRunner().hasTable(table)).toBe(true);
    }
    // A later start finds nothing to do.
    await migrate(await connect());
    expect(await sources[0].query('SELECT name FROM migrations')).toHaveLength(names.length);
  });
});
