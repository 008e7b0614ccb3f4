import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { SCOPES } from '../src/auth/scopes.js';
import { AdminApi, apiRequest, sendWebhook, settledWebhook, type ApiResponse, type Json } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN_ID = 'isolation-admin';
const ADMIN_SECRET = 'isolation-admin-secret-0123456789';
const DEFAULT_PROCESS = 'create-object-records-from-webhook';

const base = JSON.parse(readFileSync(new URL(`../processes/${DEFAULT_PROCESS}.json`, import.meta.url), 'utf8'));
const upsertExample = JSON.parse(readFileSync(new URL('../processes/upsert-contact-by-email.json', import.meta.url), 'utf8'));
const customOf = (id: string) => ({ ...upsertExample, id, name: `Custom ${id}`, activeByDefault: false });

/** Ids of one tenant's objects, filled in before the tests run. */
interface TenantObjects {
  tenantId: string;
  keyId: string;
  apiKey: string;
  webhookId: string;
  receivedWebhookId: string;
  leadId: string;
  countryId: string;
  customProcess: string;
}

type Route = [method: string, path: string, body: unknown];

/** Every route under /api/tenants/:tenantId; ":key", ":webhook", ":lead", ":custom" are the tenant's own objects. */
const TENANT_ROUTES: Route[] = [
  ['GET', '', undefined],
  ['GET', '/api-keys', undefined],
  ['POST', '/api-keys', { name: 'Intruder' }],
  ['POST', '/api-keys/:key/rotate', undefined],
  ['PUT', '/api-keys/:key/signature', { scheme: 'github', secret: 'intruder-secret' }],
  ['DELETE', '/api-keys/:key/signature', undefined],
  ['DELETE', '/api-keys/:key', undefined],
  ['GET', '/secrets', undefined],
  ['PUT', '/secrets/crm', { value: 'intruder-value' }],
  ['DELETE', '/secrets/crm', undefined],
  ['GET', '/entities', undefined],
  ['POST', '/entities', { name: 'Intrusion', fields: [{ name: 'Name', type: 'System.String' }] }],
  ['POST', '/entities/Lead/fields', { name: 'Intruder', type: 'System.String' }],
  ['PATCH', '/entities/Lead', { inWebhookLookup: false }],
  ['GET', '/records/Lead', undefined],
  ['GET', '/records/Lead/:lead', undefined],
  ['POST', '/records/Country', { Name: 'Intruderland' }],
  ['GET', '/processes', undefined],
  ['POST', '/processes', { definition: customOf('intruder') }],
  ['POST', '/processes/test', { definition: base, payload: { EntityName: 'Lead', Contact: 'x' } }],
  ['POST', '/processes/what-if', { definition: base }],
  ['POST', '/expressions/evaluate', { expression: 'Contact', payload: { Contact: 'x' } }],
  ['GET', `/processes/${DEFAULT_PROCESS}`, undefined],
  ['PUT', `/processes/${DEFAULT_PROCESS}`, { definition: { ...base, name: 'Intruded' } }],
  ['DELETE', '/processes/:custom', undefined],
  ['POST', `/processes/${DEFAULT_PROCESS}/activate`, undefined],
  ['POST', `/processes/${DEFAULT_PROCESS}/deactivate`, undefined],
  ['POST', `/processes/${DEFAULT_PROCESS}/revert`, undefined],
  ['POST', '/processes/:custom/rollback', { version: 1 }],
  ['POST', `/processes/${DEFAULT_PROCESS}/test`, { payload: { EntityName: 'Lead', Contact: 'x' } }],
  ['GET', '/webhooks', undefined],
  ['GET', '/webhooks/:webhook', undefined],
  ['POST', '/webhooks/:webhook/replay', { force: true }],
  ['POST', '/webhooks/:webhook/mapping-proposal', { object: 'Lead' }],
  ['POST', '/webhooks/replay', { status: 'received' }],
  ['GET', '/runs', undefined],
];

function pathFor(objects: TenantObjects, path: string): string {
  return `/api/tenants/${objects.tenantId}${path}`
    .replace(':key', objects.keyId)
    .replace(':webhook', objects.webhookId)
    .replace(':lead', objects.leadId)
    .replace(':custom', objects.customProcess);
}

function expectError(response: ApiResponse, status: number, message?: string): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { statusCode: status, error: expect.any(String), message: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) },
  });
  if (message) expect(response.body.message).toContain(message);
}

describe.each(databaseKinds())('admin API tenant isolation and scopes (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let url: string;
  let platform: AdminApi;
  /** A tenant client of tenant A with every scope. */
  let clientA: AdminApi;
  /** A tenant client of tenant A with only webhooks:read. */
  let readerA: AdminApi;
  let a: TenantObjects;
  let b: TenantObjects;
  let bBefore: Record<string, Json>;

  async function ok(response: Promise<ApiResponse>, status = 200): Promise<Json> {
    const answer = await response;
    if (answer.status !== status) throw new Error(`Expected ${status}, got ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  /** A tenant with a key, a processed and a received webhook, a Lead, a Country and a custom process. */
  async function populate(name: string): Promise<TenantObjects> {
    const tenantId = (await ok(platform.post('/api/tenants', { name }), 201)).id as string;
    const key = await ok(platform.post(`/api/tenants/${tenantId}/api-keys`, { name: `${name} source` }), 201);
    const country = await ok(platform.post(`/api/tenants/${tenantId}/records/Country`, { Name: `${name}land` }), 201);
    const webhookId = await sendWebhook(url, key.apiKey, { EntityName: 'Lead', Contact: `${name} contact`, Country: `${name}land` });
    const receivedWebhookId = await sendWebhook(url, key.apiKey, { Contact: `${name} without an entity` });
    const processed = await settledWebhook(platform, tenantId, webhookId);
    await settledWebhook(platform, tenantId, receivedWebhookId);
    if (processed.status !== 'processed') throw new Error(`Setup: webhook not processed: ${JSON.stringify(processed)}`);
    const customProcess = `custom-${name.toLowerCase().replace(/\W/g, '')}`;
    await ok(platform.post(`/api/tenants/${tenantId}/processes`, { definition: customOf(customProcess) }), 201);
    await ok(platform.put(`/api/tenants/${tenantId}/secrets/crm`, { value: `${name} secret value` }));
    return {
      tenantId,
      keyId: key.id,
      apiKey: key.apiKey,
      webhookId,
      receivedWebhookId,
      leadId: processed.recordIds[0],
      countryId: country.Id,
      customProcess,
    };
  }

  /** What a platform client sees of tenant B, to check that nothing of it changed. */
  async function snapshotB(): Promise<Record<string, Json>> {
    const at = (path: string) => ok(platform.get(`/api/tenants/${b.tenantId}${path}`));
    return {
      tenant: await at(''),
      keys: await at('/api-keys'),
      secrets: await at('/secrets'),
      entities: await at('/entities'),
      leads: await at('/records/Lead'),
      countries: (await at('/records/Country?limit=500')).items.map((country: Json) => country.Name).sort(),
      processes: await at('/processes'),
      defaultProcess: await at(`/processes/${DEFAULT_PROCESS}`),
      webhooks: await at('/webhooks'),
      webhook: await at(`/webhooks/${b.webhookId}`),
      received: await at(`/webhooks/${b.receivedWebhookId}`),
      runs: await at('/runs'),
    };
  }

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET, API_KEY_CACHE_MS: '0' });
    url = hookflow.url;
    platform = await AdminApi.login(url, ADMIN_ID, ADMIN_SECRET);
    a = await populate('Tenant A');
    b = await populate('Tenant B');
    const full = await ok(platform.post('/api/clients', { kind: 'tenant', tenantId: a.tenantId, scopes: [...SCOPES] }), 201);
    clientA = await AdminApi.login(url, full.clientId, full.clientSecret);
    const reader = await ok(platform.post('/api/clients', { kind: 'tenant', tenantId: a.tenantId, scopes: ['webhooks:read'] }), 201);
    readerA = await AdminApi.login(url, reader.clientId, reader.clientSecret);
    bBefore = await snapshotB();
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  describe('a tenant client of A with every scope', () => {
    it('acts on its own tenant', async () => {
      const at = (path: string) => clientA.get(`/api/tenants/${a.tenantId}${path}`);
      expect((await at('')).body).toEqual({ id: a.tenantId, name: 'Tenant A', rateLimitPerMinute: null });
      expect((await at('/api-keys')).body).toEqual([expect.objectContaining({ id: a.keyId })]);
      expect((await at(`/records/Lead/${a.leadId}`)).status).toBe(200);
      expect((await at(`/webhooks/${a.webhookId}`)).status).toBe(200);
      expect((await at(`/processes/${a.customProcess}`)).status).toBe(200);
      expect((await at('/runs')).status).toBe(200);
    });

    it('GET /api/tenants lists only tenant A', async () => {
      const response = await clientA.get('/api/tenants');
      expect(response.status).toBe(200);
      expect(response.body).toEqual([{ id: a.tenantId, name: 'Tenant A', rateLimitPerMinute: null }]);
    });

    it.each(TENANT_ROUTES)("answers 403 on tenant B's route %s /api/tenants/<B>%s", async (method, path, body) => {
      const response = await clientA.request(method, pathFor(b, path), body);
      expectError(response, 403);
      expect(response.body.message).toMatch(/tenant/i);
      expect(response.body.message).not.toMatch(/scope/i);
    });

    it('changed nothing of tenant B, whose key still works', async () => {
      expect(await snapshotB()).toEqual(bBefore);
      expect((await apiRequest(url, 'POST', `/webhooks/${b.apiKey}`, { body: { EntityName: 'Lead', Contact: 'Still B' } })).status).toBe(202);
    });

    const foreignIds: Array<[string, string, (objects: TenantObjects) => string, (objects: TenantObjects) => unknown]> = [
      ['POST', '/api-keys/<B key>/rotate', (objects) => `/api-keys/${objects.keyId}/rotate`, () => undefined],
      ['DELETE', '/api-keys/<B key>', (objects) => `/api-keys/${objects.keyId}`, () => undefined],
      ['PUT', '/api-keys/<B key>/signature', (objects) => `/api-keys/${objects.keyId}/signature`, () => ({ scheme: 'github', secret: 'intruder-secret' })],
      ['DELETE', '/api-keys/<B key>/signature', (objects) => `/api-keys/${objects.keyId}/signature`, () => undefined],
      ['GET', '/webhooks/<B webhook>', (objects) => `/webhooks/${objects.webhookId}`, () => undefined],
      ['POST', '/webhooks/<B webhook>/replay', (objects) => `/webhooks/${objects.webhookId}/replay`, () => ({ force: true })],
      ['POST', '/webhooks/<B received webhook>/replay', (objects) => `/webhooks/${objects.receivedWebhookId}/replay`, () => ({})],
      [
        'POST',
        '/webhooks/<B received webhook>/mapping-proposal',
        (objects) => `/webhooks/${objects.receivedWebhookId}/mapping-proposal`,
        () => ({ object: 'Lead' }),
      ],
      ['GET', '/records/Lead/<B lead>', (objects) => `/records/Lead/${objects.leadId}`, () => undefined],
      ['GET', '/records/Country/<B country>', (objects) => `/records/Country/${objects.countryId}`, () => undefined],
      ['GET', '/processes/<B custom process>', (objects) => `/processes/${objects.customProcess}`, () => undefined],
      [
        'PUT',
        '/processes/<B custom process>',
        (objects) => `/processes/${objects.customProcess}`,
        (objects) => ({ definition: customOf(objects.customProcess) }),
      ],
      ['DELETE', '/processes/<B custom process>', (objects) => `/processes/${objects.customProcess}`, () => undefined],
      ['POST', '/processes/<B custom process>/test', (objects) => `/processes/${objects.customProcess}/test`, () => ({ payload: { Email: 'x@example.com' } })],
    ];
    it.each(foreignIds)("answers 404 for B's ids under its own tenant: %s /api/tenants/<A>%s", async (method, _label, path, body) => {
      expectError(await clientA.request(method, `/api/tenants/${a.tenantId}${path(b)}`, body(b)), 404);
    });

    it("finds nothing of B through A's lists, filters, what-if and bulk replay", async () => {
      const at = `/api/tenants/${a.tenantId}`;
      expect((await clientA.get(`${at}/webhooks`, { apiKeyId: b.keyId })).body.items).toEqual([]);
      expect((await clientA.get(`${at}/records/Lead`, { 'filter[Contact]': 'Tenant B contact' })).body.items).toEqual([]);
      expect((await clientA.get(`${at}/records/Country`, { 'filter[Name]': 'Tenant Bland' })).body.items).toEqual([]);
      const runs = (await clientA.get(`${at}/runs`)).body as Json[];
      expect(runs.filter((run) => run.webhookId === b.webhookId || run.webhookId === b.receivedWebhookId)).toEqual([]);
      const whatIf = await clientA.post(`${at}/processes/what-if`, { definition: base, webhookIds: [b.webhookId, b.receivedWebhookId] });
      expect(whatIf.body).toMatchObject({ compared: 0, entries: [] });
      const replayed = await clientA.post(`${at}/webhooks/replay`, { status: 'received' });
      expect(replayed.status).toBe(202);
      expect(replayed.body).toMatchObject({ total: 1 }); // A's own received webhook only
      expect((await platform.get(`/api/tenants/${b.tenantId}/webhooks/${b.receivedWebhookId}`)).body.runs).toHaveLength(1);
      expect((await clientA.get(`${at}/processes`)).body.map((process: Json) => process.id)).not.toContain(b.customProcess);
    });

    const platformRoutes: Array<[string, string, string, (tenantId: string) => unknown]> = [
      ['POST', '/api/tenants', 'a tenant', () => ({ name: 'Mine' })],
      ['POST', '/api/clients', 'a platform client', () => ({ kind: 'platform' })],
      ['POST', '/api/clients', 'a client of its own tenant', (tenantId) => ({ kind: 'tenant', tenantId, scopes: ['keys:read'] })],
    ];
    it.each(platformRoutes)('answers 403 on the platform route %s %s (%s)', async (method, path, _what, body) => {
      expectError(await clientA.request(method, path, body(a.tenantId)), 403, 'platform');
    });
  });

  describe('a tenant client of A with only webhooks:read', () => {
    it.each([
      ['GET', '/webhooks'],
      ['GET', '/webhooks/:webhook'],
      ['GET', '/runs'],
    ])('may %s %s', async (method, path) => {
      expect((await readerA.request(method, pathFor(a, path))).status).toBe(200);
    });

    /** Every route of its own tenant that needs another scope, with that scope. */
    const needsScope: Array<[method: string, path: string, scope: string, body: unknown]> = [
      ['GET', '', 'tenant:read', undefined],
      ['GET', '/api-keys', 'keys:read', undefined],
      ['POST', '/api-keys', 'keys:write', { name: 'Reader key' }],
      ['POST', '/api-keys/:key/rotate', 'keys:write', undefined],
      ['PUT', '/api-keys/:key/signature', 'keys:write', { scheme: 'github', secret: 'reader-secret' }],
      ['DELETE', '/api-keys/:key/signature', 'keys:write', undefined],
      ['DELETE', '/api-keys/:key', 'keys:write', undefined],
      ['GET', '/secrets', 'secrets:read', undefined],
      ['PUT', '/secrets/crm', 'secrets:write', { value: 'reader-value' }],
      ['DELETE', '/secrets/crm', 'secrets:write', undefined],
      ['GET', '/entities', 'catalogue:read', undefined],
      ['POST', '/entities', 'catalogue:write', { name: 'ByReader', fields: [] }],
      ['POST', '/entities/Lead/fields', 'catalogue:write', { name: 'ByReader', type: 'System.String' }],
      ['PATCH', '/entities/Lead', 'catalogue:write', { inWebhookLookup: false }],
      ['GET', '/records/Lead', 'records:read', undefined],
      ['GET', '/records/Lead/:lead', 'records:read', undefined],
      ['POST', '/records/Country', 'records:write', { Name: 'Readerland' }],
      ['GET', '/processes', 'processes:read', undefined],
      ['POST', '/processes', 'processes:write', { definition: customOf('by-reader') }],
      ['POST', '/processes/test', 'processes:read', { definition: base, payload: {} }],
      ['POST', '/processes/what-if', 'processes:read', { definition: base }],
      ['POST', '/expressions/evaluate', 'processes:read', { expression: 'Contact', payload: {} }],
      ['GET', `/processes/${DEFAULT_PROCESS}`, 'processes:read', undefined],
      ['PUT', `/processes/${DEFAULT_PROCESS}`, 'processes:write', { definition: base }],
      ['DELETE', '/processes/:custom', 'processes:write', undefined],
      ['POST', `/processes/${DEFAULT_PROCESS}/activate`, 'processes:write', undefined],
      ['POST', `/processes/${DEFAULT_PROCESS}/deactivate`, 'processes:write', undefined],
      ['POST', `/processes/${DEFAULT_PROCESS}/revert`, 'processes:write', undefined],
      ['POST', '/processes/:custom/rollback', 'processes:write', { version: 1 }],
      ['POST', `/processes/${DEFAULT_PROCESS}/test`, 'processes:read', { payload: {} }],
      ['POST', '/webhooks/:webhook/replay', 'webhooks:write', { force: true }],
      ['POST', '/webhooks/replay', 'webhooks:write', { status: 'received' }],
      ['GET', '/tasks', 'tasks:read', undefined],
      ['POST', '/tasks/:task/approve', 'tasks:write', {}],
      ['POST', '/tasks/:task/reject', 'tasks:write', {}],
    ];
    it.each(needsScope)('answers 403 on %s /api/tenants/<A>%s naming the scope %s', async (method, path, scope, body) => {
      expectError(await readerA.request(method, pathFor(a, path), body), 403, `"${scope}"`);
    });

    it('answers 403 naming tenant:read on GET /api/tenants (documented scope: tenant:read)', async () => {
      expectError(await readerA.get('/api/tenants'), 403, '"tenant:read"');
    });

    it.each([
      ['POST', '/api/tenants', { name: 'By reader' }],
      ['POST', '/api/clients', { kind: 'platform' }],
    ])('answers 403 on the platform route %s %s', async (method, path, body) => {
      expectError(await readerA.request(method, path, body), 403, 'platform');
    });

    it('a token asked for with a narrower scope is limited to it', async () => {
      const created = await ok(platform.post('/api/clients', { kind: 'tenant', tenantId: a.tenantId, scopes: ['keys:read', 'keys:write'] }), 201);
      const narrow = await AdminApi.login(url, created.clientId, created.clientSecret, 'keys:read');
      expect((await narrow.get(`/api/tenants/${a.tenantId}/api-keys`)).status).toBe(200);
      expectError(await narrow.post(`/api/tenants/${a.tenantId}/api-keys`, { name: 'Narrow' }), 403, '"keys:write"');
    });

    it('changed nothing of tenant A through refused requests', async () => {
      const keys = (await platform.get(`/api/tenants/${a.tenantId}/api-keys`)).body as Json[];
      expect(keys.map((key) => [key.id, key.revokedAt, key.signatureScheme])).toEqual([[a.keyId, null, null]]);
      const entities = (await platform.get(`/api/tenants/${a.tenantId}/entities`)).body as Json[];
      expect(entities.map((object) => object.name)).not.toContain('ByReader');
      expect(entities.find((object) => object.name === 'Lead').inWebhookLookup).toBe(true);
      const processes = (await platform.get(`/api/tenants/${a.tenantId}/processes`)).body as Json[];
      expect(processes.map((process) => process.id)).toContain(a.customProcess);
      expect(processes.find((process) => process.id === DEFAULT_PROCESS)).toMatchObject({ source: 'base', version: 1, active: true });
    });
  });
});
