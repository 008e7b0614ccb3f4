import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminApi, apiRequest } from './support/admin-client.js';
import { cliJson, runCli } from './support/cli.mjs';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN = { id: 'limits-admin', secret: 'limits-admin-secret-0123456789' };

/** Counts are per calendar minute: start a burst early enough in one that it ends in the same. */
async function startOfAMinute(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

describe.each(databaseKinds())('rate limits per key and per tenant (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN.id, ADMIN_CLIENT_SECRET: ADMIN.secret, RATE_LIMIT_PER_MINUTE: '1000' });
    admin = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  const send = async (apiKey: string) => {
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: { EntityName: 'Lead', Contact: 'Limited' } });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: response.body as { message?: string } };
  };

  it('a key with a limit of 3 gets 429 on its 4th webhook of the minute; another key of the tenant does not', async () => {
    const { tenantId, apiKey, apiKeyId } = await hookflow.newTenant();
    const other = (await admin.post(`/api/tenants/${tenantId}/api-keys`, { name: 'Other source' })).body;
    const updated = await admin.patch(`/api/tenants/${tenantId}/api-keys/${apiKeyId}`, { rateLimitPerMinute: 3 });
    expect(updated).toMatchObject({ status: 200, body: { id: apiKeyId, rateLimitPerMinute: 3 } });
    expect((await admin.get(`/api/tenants/${tenantId}/api-keys`)).body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: apiKeyId, rateLimitPerMinute: 3 }),
        expect.objectContaining({ id: other.id, rateLimitPerMinute: null }),
      ]),
    );

    await startOfAMinute();
    const limited = [await send(apiKey), await send(apiKey), await send(apiKey), await send(apiKey)];
    const unlimited = [await send(other.apiKey), await send(other.apiKey), await send(other.apiKey), await send(other.apiKey)];
    expect(limited.map((answer) => answer.status)).toEqual([202, 202, 202, 429]);
    expect(limited[3].body.message).toContain('3 webhooks a minute');
    expect(Number(limited[3].retryAfter)).toBeGreaterThan(0);
    expect(unlimited.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);

    // Back to the tenant's limit (RATE_LIMIT_PER_MINUTE here).
    expect((await admin.patch(`/api/tenants/${tenantId}/api-keys/${apiKeyId}`, { rateLimitPerMinute: null })).body).toMatchObject({ rateLimitPerMinute: null });
  });

  it("a tenant's limit applies to each of its keys without one of their own, and caps what a key may be given", async () => {
    const tenant = (await admin.post('/api/tenants', { name: 'Limited tenant' })).body;
    const patched = await admin.patch(`/api/tenants/${tenant.id}`, { rateLimitPerMinute: 2 });
    expect(patched).toMatchObject({ status: 200, body: { id: tenant.id, rateLimitPerMinute: 2 } });
    expect((await admin.get(`/api/tenants/${tenant.id}`)).body).toMatchObject({ rateLimitPerMinute: 2 });
    const key = (await admin.post(`/api/tenants/${tenant.id}/api-keys`, { name: 'Form' })).body;

    const above = await admin.patch(`/api/tenants/${tenant.id}/api-keys/${key.id}`, { rateLimitPerMinute: 5 });
    expect(above.status).toBe(400);
    expect(above.body.message).toContain("above the tenant's limit of 2");
    expect((await admin.patch(`/api/tenants/${tenant.id}/api-keys/${key.id}`, { rateLimitPerMinute: 0 })).status).toBe(400);
    expect((await admin.patch(`/api/tenants/${tenant.id}/api-keys/${key.id}`, {})).status).toBe(400);
    expect((await admin.patch(`/api/tenants/${tenant.id}`, { rateLimitPerMinute: -1 })).status).toBe(400);

    await startOfAMinute();
    expect([(await send(key.apiKey)).status, (await send(key.apiKey)).status, (await send(key.apiKey)).status]).toEqual([202, 202, 429]);
  });

  it('the command line sets them: tenant update and apikey update --rate-limit', async () => {
    const { tenantId, apiKeyId } = await hookflow.newTenant();
    const env = { DATABASE_URL: database.url };
    expect(await cliJson(['tenant', 'update', tenantId, '--rate-limit', '50'], env)).toMatchObject({ id: tenantId, rateLimitPerMinute: 50 });
    expect(await cliJson(['apikey', 'update', apiKeyId, '--tenant', tenantId, '--rate-limit', '5'], env)).toMatchObject({
      id: apiKeyId,
      rateLimitPerMinute: 5,
    });
    const above = await runCli(['apikey', 'update', apiKeyId, '--tenant', tenantId, '--rate-limit', '500'], env);
    expect(above).toMatchObject({ code: 1, stderr: expect.stringContaining("above the tenant's limit of 50") });
    const wrong = await runCli(['tenant', 'update', tenantId, '--rate-limit', 'lots'], env);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining('--rate-limit: "lots" must be a whole number from 0, or "default"') });
    expect(await cliJson(['apikey', 'update', apiKeyId, '--tenant', tenantId, '--rate-limit', 'default'], env)).toMatchObject({ rateLimitPerMinute: null });
    expect((await cliJson<Array<{ id: string; rateLimitPerMinute: number | null }>>(['apikey', 'list', '--tenant', tenantId], env))[0]).toMatchObject({
      rateLimitPerMinute: null,
    });
  });
});
