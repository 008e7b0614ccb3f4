import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminApi, type ApiResponse } from '../support/admin-client.js';
import { cliJson, runCli } from '../support/cli.mjs';
import { createDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { forwardingProcess, startExternalSystem } from '../support/external-system.js';
import { startTestService, type TestService } from '../support/test-service.js';

/**
 * A process author must not reach the platform's secrets: definitions reference a tenant's own
 * secrets by name, or environment variables under PROCESS_ENV_PREFIX only.
 */
const ADMIN = { id: 'secrets-admin', secret: 'secrets-admin-secret-0123456789' };
const PLATFORM_VARIABLES = ['ADMIN_CLIENT_SECRET', 'TOKEN_SIGNING_KEY', 'SECRETS_KEY', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN'];
const CRM_SECRET = 'crm-client-secret-4f1b9c';

describe.each(databaseKinds())('process secrets (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;

  beforeAll(async () => {
    crm = await startExternalSystem({
      '/token': [[200, { access_token: 'tok-from-crm', token_type: 'Bearer', expires_in: 3600 }]],
      '/contacts': [[201, { id: 5 }]],
    });
    database = await createDatabase(kind);
    process.env.HOOKFLOW_PROCESS_CRM_TOKEN = 'env-token-77';
    hookflow = await startTestService(database, {
      ADMIN_CLIENT_ID: ADMIN.id,
      ADMIN_CLIENT_SECRET: ADMIN.secret,
      HTTP_ALLOW_PRIVATE_NETWORKS: 'true',
      PROCESS_CACHE_MS: '0',
    });
    admin = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
  });

  afterAll(async () => {
    delete process.env.HOOKFLOW_PROCESS_CRM_TOKEN;
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  async function newTenant() {
    const tenant = await hookflow.newTenant();
    await admin.post(`/api/tenants/${tenant.tenantId}/processes/create-object-records-from-webhook/deactivate`);
    return tenant;
  }

  const saveProcess = (tenantId: string, definition: unknown): Promise<ApiResponse> => admin.post(`/api/tenants/${tenantId}/processes`, { definition });

  it.each(PLATFORM_VARIABLES)('refuses a definition that names %s as a client secret, in words that do not tell whether it exists', async (variable) => {
    const { tenantId } = await newTenant();
    const auth = { type: 'oauth2-client-credentials', tokenUrl: `${crm.url}/token`, clientId: 'x', clientSecretEnv: variable };
    const refused = await saveProcess(tenantId, forwardingProcess('steal', `${crm.url}/contacts`, { auth }));
    const unknown = await saveProcess(
      tenantId,
      forwardingProcess('steal', `${crm.url}/contacts`, { auth: { ...auth, clientSecretEnv: 'NO_SUCH_VARIABLE_HERE' } }),
    );

    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('only environment variables whose name starts with HOOKFLOW_PROCESS_ can be referenced');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message.replace('NO_SUCH_VARIABLE_HERE', variable)).toBe(refused.body.message.replace('NO_SUCH_VARIABLE_HERE', variable));
    expect(refused.body.message).not.toContain('not set');
    expect(crm.received.filter((call) => call.url === '/token')).toHaveLength(0);
  });

  it('refuses a platform variable in a header too', async () => {
    const { tenantId } = await newTenant();
    const definition = forwardingProcess('steal-header', `${crm.url}/contacts`, { headers: { 'X-Leak': { env: 'TOKEN_SIGNING_KEY' } } });
    const refused = await saveProcess(tenantId, definition);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('/steps/0/input/headers/X-Leak: only environment variables whose name starts with HOOKFLOW_PROCESS_');
  });

  it('stores a secret write-only: the API lists its name and dates, never its value', async () => {
    const { tenantId } = await newTenant();
    const set = await admin.put(`/api/tenants/${tenantId}/secrets/crm`, { value: CRM_SECRET });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ name: 'crm', createdAt: expect.any(String), updatedAt: expect.any(String) });
    const listed = await admin.get(`/api/tenants/${tenantId}/secrets`);
    expect(listed.body).toEqual([{ name: 'crm', createdAt: set.body.createdAt, updatedAt: set.body.updatedAt }]);
    expect(JSON.stringify([set.body, listed.body])).not.toContain(CRM_SECRET);

    const replaced = await admin.put(`/api/tenants/${tenantId}/secrets/crm`, { value: 'another' });
    expect(replaced.body.createdAt).toBe(set.body.createdAt);

    expect((await admin.put(`/api/tenants/${tenantId}/secrets/bad%20name`, { value: 'x' })).status).toBe(400);
    expect((await admin.put(`/api/tenants/${tenantId}/secrets/empty`, { value: '' })).status).toBe(400);
    expect((await admin.put(`/api/tenants/${tenantId}/secrets/huge`, { value: 'x'.repeat(9000) })).status).toBe(400);
    expect((await admin.delete(`/api/tenants/${tenantId}/secrets/crm`)).status).toBe(204);
    expect((await admin.delete(`/api/tenants/${tenantId}/secrets/crm`)).status).toBe(404);
    expect((await admin.get(`/api/tenants/${tenantId}/secrets`)).body).toEqual([]);
  });

  it('a client with secrets:read lists secrets but cannot set one', async () => {
    const { tenantId } = await newTenant();
    const client = await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['secrets:read'] });
    const reader = await AdminApi.login(hookflow.url, client.body.clientId, client.body.clientSecret);
    expect((await reader.get(`/api/tenants/${tenantId}/secrets`)).status).toBe(200);
    expect((await reader.put(`/api/tenants/${tenantId}/secrets/crm`, { value: 'x' })).status).toBe(403);
  });

  it("sends the tenant's secret as an OAuth client secret and in a header; the run's trace shows neither", async () => {
    const { tenantId, apiKey } = await newTenant();
    await admin.put(`/api/tenants/${tenantId}/secrets/crm`, { value: CRM_SECRET });
    await admin.put(`/api/tenants/${tenantId}/secrets/crm-key`, { value: 'header-key-31' });
    const auth = { type: 'oauth2-client-credentials', tokenUrl: `${crm.url}/token`, clientId: 'hookflow', clientSecret: { secret: 'crm' } };
    const headers = { 'X-Crm-Key': { secret: 'crm-key' }, 'X-Env-Token': { env: 'HOOKFLOW_PROCESS_CRM_TOKEN', prefix: 'Token ' } };
    expect((await saveProcess(tenantId, forwardingProcess('crm', `${crm.url}/contacts`, { auth, headers }))).status).toBe(201);

    const webhook = await hookflow.deliver(tenantId, apiKey, { Email: 'ada@example.com' });

    expect(webhook.status).toBe('processed');
    const [token] = crm.received.filter((call) => call.url === '/token');
    expect(token.headers.authorization).toBe(`Basic ${Buffer.from(`hookflow:${CRM_SECRET}`).toString('base64')}`);
    const [call] = crm.received.filter((entry) => entry.url === '/contacts').slice(-1);
    expect(call.headers).toMatchObject({ authorization: 'Bearer tok-from-crm', 'x-crm-key': 'header-key-31', 'x-env-token': 'Token env-token-77' });
    const detail = await admin.get(`/api/tenants/${tenantId}/webhooks/${webhook.id}`);
    expect(detail.body.runs).toHaveLength(1);
    const shown = JSON.stringify([webhook, detail.body]);
    for (const secret of [CRM_SECRET, 'header-key-31', 'env-token-77', 'tok-from-crm']) expect(shown).not.toContain(secret);
  });

  it("one tenant's process cannot use another tenant's secret of the same name", async () => {
    const owner = await newTenant();
    await admin.put(`/api/tenants/${owner.tenantId}/secrets/crm-key`, { value: 'owners-key-9' });
    const other = await newTenant();
    const headers = { 'X-Crm-Key': { secret: 'crm-key' } };
    expect((await saveProcess(other.tenantId, forwardingProcess('borrow', `${crm.url}/contacts`, { headers }))).status).toBe(201);
    const before = crm.received.length;

    const webhook = await hookflow.deliver(other.tenantId, other.apiKey, { Email: 'x@example.com' });

    expect(webhook.reason).toContain('header x-crm-key: the tenant has no secret named "crm-key"');
    expect(crm.received.slice(before).map((call) => call.headers['x-crm-key'])).not.toContain('owners-key-9');
  });

  it('the CLI sets a secret from standard input and lists it without its value', async () => {
    const { tenantId } = await newTenant();
    const env = { DATABASE_URL: database.url };
    const set = await cliJson<{ name: string }>(['secret', 'set', 'crm', '--tenant', tenantId], env, `${CRM_SECRET}\n`);
    expect(set.name).toBe('crm');
    const listed = await runCli(['secret', 'list', '--tenant', tenantId, '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([{ name: 'crm', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
    expect(listed.stdout).not.toContain(CRM_SECRET);
    const headers = { 'X-Crm-Key': { secret: 'crm' } };
    expect((await saveProcess(tenantId, forwardingProcess('cli-secret', `${crm.url}/contacts`, { headers }))).status).toBe(201);
  });
});
