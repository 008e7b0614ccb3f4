import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ParameterDriftService } from '../src/drift/parameter-drift.service.js';
import { AdminApi, apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const example = JSON.parse(readFileSync(new URL('./fixtures/creatio-example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ADMIN = { id: 'drift-admin', secret: 'drift-admin-secret-0123456789' };
const METRICS_TOKEN = 'drift-metrics-token-0123';

/** A sender renames a form field without telling anyone: "Email" becomes "E-mail". */
describe.each(databaseKinds())('schema drift per API key (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN.id, ADMIN_CLIENT_SECRET: ADMIN.secret, METRICS_TOKEN, DRIFT_FLUSH_MS: '3600000' });
    admin = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  // Counts are written by the worker on a timer; the test writes them when it needs them.
  const flush = () => hookflow.get(ParameterDriftService).flush();

  it('records the renamed parameter as new and unmapped, and the old one as missing', async () => {
    const { tenantId, apiKey, apiKeyId } = await hookflow.newTenant();
    for (let i = 0; i < 3; i++) await hookflow.deliver(tenantId, apiKey, { ...example, Email: `user${i}@example.com` });
    await flush();
    expect((await admin.get(`/api/tenants/${tenantId}/api-keys/${apiKeyId}/drift`)).body).toEqual([]);

    const { Email: _renamed, ...rest } = example;
    for (let i = 0; i < 10; i++) await hookflow.deliver(tenantId, apiKey, { ...rest, 'E-mail': `user${i}@example.com` });
    await flush();

    const drift = await admin.get(`/api/tenants/${tenantId}/api-keys/${apiKeyId}/drift`);
    expect(drift.status).toBe(200);
    expect(drift.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ parameter: 'E-mail', kind: 'new-unmapped', count: 10, resolvedAt: null, firstSeenAt: expect.any(String) }),
        expect.objectContaining({ parameter: 'Email', kind: 'missing-mapped', count: 10, resolvedAt: null }),
      ]),
    );
    expect(drift.body).toHaveLength(2);
    const open = (await admin.get(`/api/tenants/${tenantId}/drift`)).body as Array<{ parameter: string }>;
    expect(open.map((event) => event.parameter).sort()).toEqual(['E-mail', 'Email']);

    const metrics = (await apiRequest(hookflow.url, 'GET', '/metrics', { token: METRICS_TOKEN })).text;
    expect(metrics).toMatch(/hookflow_parameter_drift_open\{[^}]*kind="new-unmapped"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/hookflow_parameter_drift_open\{[^}]*kind="missing-mapped"[^}]*\} [1-9]/);

    // The sender fixes the form: the missing parameter is back, its event is resolved.
    await hookflow.deliver(tenantId, apiKey, { ...example });
    await flush();
    const after = (await admin.get(`/api/tenants/${tenantId}/api-keys/${apiKeyId}/drift`)).body as Array<{ parameter: string; resolvedAt: string | null }>;
    expect(after.find((event) => event.parameter === 'Email')?.resolvedAt).toEqual(expect.any(String));
    expect(after.find((event) => event.parameter === 'E-mail')?.resolvedAt).toBeNull();
  });

  it('a key of another tenant answers 404; a key without drift answers an empty list', async () => {
    const mine = await hookflow.newTenant();
    const other = await hookflow.newTenant();
    expect((await admin.get(`/api/tenants/${mine.tenantId}/api-keys/${other.apiKeyId}/drift`)).status).toBe(404);
    expect((await admin.get(`/api/tenants/${mine.tenantId}/api-keys/${mine.apiKeyId}/drift`)).body).toEqual([]);
  });
});
