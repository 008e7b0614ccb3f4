import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { DEFAULT_PROCESS, upsertExample } from './fixtures/form-builder.js';
import { AdminApi } from './support/admin-client.js';
import { runCli } from './support/cli.mjs';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const PROCESS = 'upsert-contact-by-email';
const ADMIN = { ADMIN_CLIENT_ID: 'e2e-admin', ADMIN_CLIENT_SECRET: 'e2e-admin-secret-0123456789' };

/** Tenant A adds a column the base does not write: the base's changes merge cleanly. */
const addsJobTitle = {
  ...upsertExample,
  steps: [
    { ...upsertExample.steps[0], input: { ...upsertExample.steps[0].input, values: { ...upsertExample.steps[0].input.values, JobTitle: "'From override'" } } },
  ],
};
/** Tenant B changes the expression of Name, which base v2 changes too: a conflict. */
const changesName = {
  ...upsertExample,
  steps: [
    { ...upsertExample.steps[0], input: { ...upsertExample.steps[0].input, values: { ...upsertExample.steps[0].input.values, Name: '$uppercase(Name)' } } },
  ],
};

/** Base v2 as a release would ship it: Name trimmed, and new Contacts named "New contact". */
function upgradeBase(dir: string): void {
  const path = join(dir, `${PROCESS}.json`);
  const definition = JSON.parse(readFileSync(path, 'utf8'));
  definition.version = 2;
  definition.steps[0].input.values.Name = '$trim(Name)';
  definition.steps[0].input.onCreate.Name = "'New contact'";
  writeFileSync(path, JSON.stringify(definition, null, 2));
}

describe.each(databaseKinds())('a base upgrade with per-tenant overrides (%s)', (kind) => {
  let database: TestDatabase;
  let processesDir: string;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    processesDir = mkdtempSync(join(tmpdir(), 'hookflow-processes-'));
    cpSync(fileURLToPath(new URL('../processes', import.meta.url)), processesDir, { recursive: true });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
    rmSync(processesDir, { recursive: true, force: true });
  });

  it('keeps each override running, shows that its base changed, and rebases it when the changes do not conflict', async () => {
    const env = { ...ADMIN, PROCESSES_DIR: processesDir, PROCESS_CACHE_MS: '0' };
    hookflow = await startTestService(database, env);
    const tenants = [];
    for (const [name, override] of [
      ['A', addsJobTitle],
      ['B', changesName],
    ] as const) {
      const tenant = await hookflow.newTenant(name);
      const processes = hookflow.get(ProcessesService);
      await processes.setActive(tenant.tenantId, DEFAULT_PROCESS, false);
      await processes.setActive(tenant.tenantId, PROCESS, true);
      expect(await processes.override(tenant.tenantId, PROCESS, override)).toMatchObject({ source: 'override', version: 2 });
      tenants.push(tenant);
    }
    const [a, b] = tenants;

    // The release: base v2, the same number as both overrides.
    await hookflow.close();
    upgradeBase(processesDir);
    hookflow = await startTestService(database, env);

    const ada = await hookflow.deliver(a.tenantId, a.apiKey, { Email: 'ada@example.com' });
    expect(ada.status).toBe('processed');
    expect(await hookflow.records(a.tenantId, 'Contact')).toEqual([
      expect.objectContaining({ Email: 'ada@example.com', Name: 'ada', JobTitle: 'From override' }),
    ]);
    expect((await hookflow.get(InstancesService).forWebhook(a.tenantId, ada.id))[0]).toMatchObject({ processVersion: 2, status: 'completed' });

    const admin = await AdminApi.login(hookflow.url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
    const listed = await admin.get(`/api/tenants/${a.tenantId}/processes`);
    expect(listed.status).toBe(200);
    expect(listed.body.find((p: { id: string }) => p.id === PROCESS)).toMatchObject({
      source: 'override',
      version: 2,
      baseChanged: { from: 1, to: 2, message: 'base changed since this override (v1 → v2)' },
    });
    const shown = await admin.get(`/api/tenants/${a.tenantId}/processes/${PROCESS}`);
    expect(shown.body.baseUpgrade).toMatchObject({
      from: 1,
      to: 2,
      oldBase: { version: 1, steps: [{ input: { onCreate: { Name: "$substringBefore($trim(Email), '@')" } } }] },
      newBase: { version: 2, steps: [{ input: { onCreate: { Name: "'New contact'" } } }] },
      override: { version: 2, steps: [{ input: { values: { JobTitle: "'From override'" } } }] },
      conflicts: [],
    });

    // Tenant A: the base's changes apply beside the override's own.
    const rebased = await admin.post(`/api/tenants/${a.tenantId}/processes/${PROCESS}/rebase`);
    expect(rebased.status).toBe(200);
    expect(rebased.body).toMatchObject({ source: 'override', version: 3 });
    expect(rebased.body).not.toHaveProperty('baseChanged');
    const bob = await hookflow.deliver(a.tenantId, a.apiKey, { Email: 'bob@example.com', Name: '  Bob ' });
    expect(bob.status).toBe('processed');
    expect(await hookflow.get(InstancesService).forWebhook(a.tenantId, bob.id)).toEqual([expect.objectContaining({ processVersion: 3 })]);
    expect((await hookflow.records(a.tenantId, 'Contact')).find((c) => c.Email === 'bob@example.com')).toMatchObject({
      Name: 'Bob',
      JobTitle: 'From override',
    });
    const carol = await hookflow.deliver(a.tenantId, a.apiKey, { Email: 'carol@example.com' });
    expect((await hookflow.records(a.tenantId, 'Contact')).find((c) => c.Id === carol.recordIds[0])).toMatchObject({ Name: 'New contact' });

    // Tenant B: both changed Name; nothing is saved and the path is named.
    const refused = await admin.post(`/api/tenants/${b.tenantId}/processes/${PROCESS}/rebase`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ statusCode: 409, code: 'CONFLICT', details: { paths: ['/steps/0/input/values/Name'] } });
    expect((await admin.get(`/api/tenants/${b.tenantId}/processes`)).body.find((p: { id: string }) => p.id === PROCESS)).toMatchObject({
      version: 2,
      baseChanged: { from: 1, to: 2 },
    });
    const dave = await hookflow.deliver(b.tenantId, b.apiKey, { Email: 'dave@example.com', Name: 'Dave' });
    expect((await hookflow.records(b.tenantId, 'Contact')).find((c) => c.Id === dave.recordIds[0])).toMatchObject({ Name: 'DAVE' });

    // The same through the command line.
    const cliEnv = { DATABASE_URL: database.url, PROCESSES_DIR: processesDir };
    const list = await runCli(['process', 'list', '--tenant', b.tenantId], cliEnv);
    expect(list).toMatchObject({ code: 0, stdout: expect.stringContaining('base changed since this override (v1 → v2)') });
    const show = await runCli(['process', 'show', PROCESS, '--tenant', b.tenantId], cliEnv);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/old base \(v1\)[\s\S]*new base \(v2\)[\s\S]*override \(v2\)/);
    expect(show.stdout).toContain('$uppercase(Name)');
    const cliRebase = await runCli(['process', 'rebase', PROCESS, '--tenant', b.tenantId], cliEnv);
    expect(cliRebase.code).toBe(1);
    expect(cliRebase.stderr).toContain('/steps/0/input/values/Name');
  }, 60_000);
});
