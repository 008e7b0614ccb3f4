import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminApi, apiRequest, sendWebhook, settledWebhook, type ApiResponse, type Json } from '../support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { DEFAULT_PROCESS, defaultProcess } from '../fixtures/form-builder.js';

const ADMIN_ID = 'e2e-admin';
const ADMIN_SECRET = 'e2e-admin-secret-0123456789';

// Expressions that, before their limits, held the event loop for seconds (and gigabytes): in a
// dry run by a viewer, or as the trigger condition of one tenant's process, for every tenant.
const ATTACKS = ['$count($sort($split($pad("", 20000, "x"), ""))) > 0', '$count($distinct([1..10000].{"a": $})) > 0', '$length($pad("", 100000000, "x")) > 0'];

/** The default process, as a custom one whose trigger condition is `condition`. */
function withCondition(id: string, condition: string, apiKeys?: string[]): Json {
  return { ...defaultProcess, id, name: id, activeByDefault: true, trigger: { type: 'webhook', condition, ...(apiKeys ? { apiKeys } : {}) } };
}

describe.each(databaseKinds())('expressions cannot stall the service (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET, API_KEY_CACHE_MS: '0', PROCESS_CACHE_MS: '0' });
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function ok(response: Promise<ApiResponse>, status = 200): Promise<Json> {
    const answer = await response;
    expect({ status: answer.status, body: answer.body }).toEqual({ status, body: expect.anything() });
    return answer.body;
  }

  async function createTenant(name: string): Promise<string> {
    return (await ok(admin.post('/api/tenants', { name }), 201)).id;
  }

  async function viewerOf(tenantId: string): Promise<AdminApi> {
    const client = await ok(admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['processes:read'] }), 201);
    return AdminApi.login(hookflow.url, client.clientId, client.clientSecret);
  }

  async function createKey(tenantId: string, name: string): Promise<string> {
    return (await ok(admin.post(`/api/tenants/${tenantId}/api-keys`, { name }), 201)).apiKey;
  }

  it.each(ATTACKS)("a viewer's dry run of %s answers 422 EXPRESSION_FAILED, and the service keeps answering", async (condition) => {
    const tenantId = await createTenant('Viewer dry run');
    const viewer = await viewerOf(tenantId);
    const [dryRun, live] = await Promise.all([
      viewer.post(`/api/tenants/${tenantId}/processes/test`, { definition: withCondition('attack', condition), payload: { EntityName: 'Lead' } }),
      apiRequest(hookflow.url, 'GET', '/health/live').then((response) => response.status),
    ]);
    expect({ status: dryRun.status, code: dryRun.body.code }).toEqual({ status: 422, code: 'EXPRESSION_FAILED' });
    expect(dryRun.body.message).toMatch(/takes at most|would produce more than|took longer than 500 ms/);
    expect(live).toBe(200);
    expect((await apiRequest(hookflow.url, 'GET', '/health/live')).status).toBe(200);
  });

  it("a trigger condition that runs into a limit fails tenant A's run (its webhook is kept without a record), and tenant B's webhook is processed", async () => {
    const tenantA = await createTenant('Tenant A');
    const tenantB = await createTenant('Tenant B');
    await ok(admin.post(`/api/tenants/${tenantA}/processes/${DEFAULT_PROCESS}/deactivate`));
    await ok(admin.post(`/api/tenants/${tenantA}/processes`, { definition: withCondition('attack', ATTACKS[0]) }), 201);
    await ok(admin.post(`/api/tenants/${tenantA}/processes/attack/activate`));
    const keyA = await createKey(tenantA, 'A');
    const keyB = await createKey(tenantB, 'B');

    const webhookA = await sendWebhook(hookflow.url, keyA, { EntityName: 'Lead', Contact: 'From A' });
    const webhookB = await sendWebhook(hookflow.url, keyB, { EntityName: 'Lead', Contact: 'From B' });

    const b = await settledWebhook(admin, tenantB, webhookB);
    expect(b).toMatchObject({ status: 'processed', recordIds: [expect.any(String)] });
    const a = await settledWebhook(admin, tenantA, webhookA);
    expect({ status: a.status, reason: a.reason }).toEqual({ status: 'received', reason: expect.stringContaining('$sort takes at most') });
    const runs = await ok(admin.get(`/api/tenants/${tenantA}/runs`));
    expect(runs).toContainEqual(expect.objectContaining({ processId: 'attack', status: 'failed' }));
    expect(JSON.stringify(runs)).toContain('$sort takes at most');
  });

  it('dry runs and what-if apply trigger.apiKeys as live dispatch does', async () => {
    const tenantId = await createTenant('Restricted draft');
    const website = await createKey(tenantId, 'Website');
    const other = await createKey(tenantId, 'Other');
    const fromWebsite = await sendWebhook(hookflow.url, website, { EntityName: 'Lead', Contact: 'Website' });
    const fromOther = await sendWebhook(hookflow.url, other, { EntityName: 'Lead', Contact: 'Other' });
    await settledWebhook(admin, tenantId, fromWebsite);
    await settledWebhook(admin, tenantId, fromOther);

    const draft = withCondition('restricted', '$webhook.apiKeyName = "Website"', ['Website']);
    const report = await ok(admin.post(`/api/tenants/${tenantId}/processes/what-if`, { definition: draft, webhookIds: [fromWebsite, fromOther] }));
    const entry = (id: string) => report.entries.find((item: Json) => item.webhook.id === id).draft;
    // The condition reads $webhook.apiKeyName: a what-if must pass the key's name, not an empty one.
    expect(entry(fromWebsite)).toMatchObject({ started: true, status: 'completed', records: [expect.objectContaining({ action: 'create', object: 'Lead' })] });
    expect(entry(fromOther)).toEqual({ started: false, status: 'skipped', error: null, records: [], waits: [] });
    expect(report).toMatchObject({ compared: 2, complete: true, stoppedReason: null });
  });

  it('a tenant has at most 2 dry runs at once: a third answers 429 RATE_LIMITED with Retry-After', async () => {
    const tenantId = await createTenant('Busy');
    const key = await createKey(tenantId, 'Source');
    const webhooks: string[] = [];
    for (let index = 0; index < 4; index++) webhooks.push(await sendWebhook(hookflow.url, key, { EntityName: 'Lead', Contact: `Busy ${index}` }));
    for (const id of webhooks) await settledWebhook(admin, tenantId, id);
    // Each of its dry runs runs until the expression's time limit.
    const slow = withCondition('slow', '($loop := function($n) { $n < 100000000 ? $loop($n + 1) : $n }; $loop(0)) > 0');
    const answers = await Promise.all(
      [0, 1, 2].map(() => admin.post(`/api/tenants/${tenantId}/processes/what-if`, { definition: slow, webhookIds: webhooks })),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
    expect(refused[0].body.code).toBe('RATE_LIMITED');
    expect(refused[0].headers.get('retry-after')).toBe('1');
    const done = answers.find((answer) => answer.status === 200)!.body;
    expect(done.entries[0].draft.error).toMatchObject({ code: 'EXPRESSION_FAILED', message: expect.stringContaining('took longer than') });
    // Once they are done, the tenant can dry-run again.
    expect((await admin.post(`/api/tenants/${tenantId}/processes/what-if`, { definition: defaultProcess, webhookIds: webhooks })).status).toBe(200);
  });
});
