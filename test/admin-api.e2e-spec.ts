import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_PROCESS, defaultProcess as base, formBuilderPayload, nestedOverride, upsertExample } from './fixtures/form-builder.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { randomUUID } from 'node:crypto';
import {
  AdminApi,
  apiRequest,
  basicCredentials,
  pollUntil,
  requestToken,
  sendWebhook,
  settledWebhook,
  type ApiResponse,
  type Json,
} from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN_ID = 'e2e-admin';
// A space, "/", "+" and a "%" that is not an escape: credentials must be encoded to survive HTTP Basic.
const ADMIN_SECRET = 'e2e admin/secret+%zz-0123456789';
const SERVICE_ENV = {
  ADMIN_CLIENT_ID: ADMIN_ID,
  ADMIN_CLIENT_SECRET: ADMIN_SECRET,
  // Long enough for a loaded machine to check the old key inside it.
  API_KEY_GRACE_SECONDS: '4',
  API_KEY_CACHE_MS: '0',
};

const CANADA_ID = 'f8af0e88-f36b-1410-fa98-00155d043204';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GRANT = { grant_type: 'client_credentials' };


/** A definition that does not compile: the expression of /steps/0/input/fields/Name does not parse. */
const brokenDefinition = { ...base, steps: [{ id: 'x', type: 'map', input: { fields: { Name: 'first &' } } }] };

/** The common error shape of the service. */
function expectError(response: ApiResponse, status: number, message?: string | RegExp): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { statusCode: status, error: expect.any(String), message: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) },
  });
  if (typeof message === 'string') expect(response.body.message).toContain(message);
  else if (message) expect(response.body.message).toMatch(message);
}

/** Form-urlencoding as RFC 6749 §2.3.1 asks for the parts of HTTP Basic credentials ("+" for a space). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function tokenClaims(token: string): { exp: number; scope: string; kind: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let url: string;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, SERVICE_ENV);
    url = hookflow.url;
    admin = await AdminApi.login(url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function createTenant(name = 'Tenant'): Promise<string> {
    const response = await admin.post('/api/tenants', { name });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  async function createKey(tenantId: string, name = 'Source'): Promise<{ id: string; apiKey: string; webhookUrl: string }> {
    const response = await admin.post(`/api/tenants/${tenantId}/api-keys`, { name });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function createRecord(tenantId: string, entity: string, values: Record<string, unknown>): Promise<Json> {
    const response = await admin.post(`/api/tenants/${tenantId}/records/${entity}`, values);
    expect(response.status).toBe(201);
    return response.body;
  }

  const send = (apiKey: string, payload: unknown, headers?: Record<string, string>) => sendWebhook(url, apiKey, payload, headers);
  const settle = (tenantId: string, webhookId: string, condition?: (detail: Json) => boolean) =>
    settledWebhook(admin, tenantId, webhookId, condition);

  describe('POST /oauth/token (RFC 6749 §4.4, §5.2)', () => {
    async function expectWorkingToken(response: ApiResponse, scope = 'platform'): Promise<void> {
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 3600,
        scope,
      });
      expect((await apiRequest(url, 'GET', '/api/tenants', { token: response.body.access_token })).status).toBe(200);
    }

    function expectOAuthError(response: ApiResponse, status: number, error: string): void {
      expect({ status: response.status, body: response.body }).toEqual({
        status,
        body: { error, error_description: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) },
      });
      expect(response.headers.get('cache-control')).toBe('no-store');
    }

    it('issues a token for client credentials given by HTTP Basic', async () => {
      await expectWorkingToken(await requestToken(url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: GRANT }));
    });

    it('decodes Basic credentials as form-urlencoded, where "+" is a space (RFC 6749 §2.3.1)', async () => {
      const rawBasic = Buffer.from(`${formEncode(ADMIN_ID)}:${formEncode(ADMIN_SECRET)}`).toString('base64');
      await expectWorkingToken(await requestToken(url, { rawBasic, form: GRANT }));
    });

    it('issues a token for client credentials in a form body', async () => {
      await expectWorkingToken(await requestToken(url, { form: { ...GRANT, client_id: ADMIN_ID, client_secret: ADMIN_SECRET } }));
    });

    it('issues a token for client credentials in a JSON body', async () => {
      await expectWorkingToken(await requestToken(url, { json: { ...GRANT, client_id: ADMIN_ID, client_secret: ADMIN_SECRET } }));
    });

    it('issues a token with a narrower scope when one is asked for', async () => {
      const response = await requestToken(url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: { ...GRANT, scope: 'keys:read' } });
      expect(response.status).toBe(200);
      expect(response.body.scope).toBe('keys:read');
      // Without the platform scope, the token may not create tenants.
      expectError(await apiRequest(url, 'POST', '/api/tenants', { token: response.body.access_token, body: { name: 'No' } }), 403);
    });

    it('answers 401 invalid_client with WWW-Authenticate for a wrong secret by HTTP Basic', async () => {
      const response = await requestToken(url, { basic: { clientId: ADMIN_ID, clientSecret: `${ADMIN_SECRET}x` }, form: GRANT });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it('answers 401 invalid_client with WWW-Authenticate for a wrong secret in the body', async () => {
      const response = await requestToken(url, { json: { ...GRANT, client_id: ADMIN_ID, client_secret: 'wrong-secret-0123456789' } });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toBeTruthy();
    });

    it('answers 401 invalid_client for an unknown client, the same as for a wrong secret', async () => {
      const response = await requestToken(url, { basic: { clientId: 'nobody', clientSecret: ADMIN_SECRET }, form: GRANT });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it('answers 401 invalid_client when no credentials are given', async () => {
      expectOAuthError(await requestToken(url, { form: GRANT }), 401, 'invalid_client');
    });

    it('answers an OAuth error, not a 500, for Basic credentials that are not valid percent-encoding', async () => {
      // The secret sent as is (as `curl -u` does): its "%zz" is no escape.
      const rawBasic = Buffer.from(`${ADMIN_ID}:${ADMIN_SECRET}`).toString('base64');
      const response = await requestToken(url, { rawBasic, form: GRANT });
      expect({ status: response.status, error: response.body?.error }).toEqual(
        response.status === 400 ? { status: 400, error: 'invalid_request' } : { status: 401, error: 'invalid_client' },
      );
    });

    it('answers 400 unsupported_grant_type for another grant', async () => {
      const response = await requestToken(url, {
        basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET },
        form: { grant_type: 'password', username: 'a', password: 'b' },
      });
      expectOAuthError(response, 400, 'unsupported_grant_type');
    });

    it('answers 400 invalid_request without grant_type', async () => {
      expectOAuthError(await requestToken(url, { json: { client_id: ADMIN_ID, client_secret: ADMIN_SECRET } }), 400, 'invalid_request');
    });

    it('answers 400 invalid_scope for a scope the client does not have', async () => {
      const tenantId = await createTenant('Scopes');
      const client = await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['webhooks:read'] });
      expect(client.status).toBe(201);
      const credentials = { clientId: client.body.clientId, clientSecret: client.body.clientSecret };
      expectOAuthError(await requestToken(url, { basic: credentials, form: { ...GRANT, scope: 'webhooks:read keys:write' } }), 400, 'invalid_scope');
      expectOAuthError(await requestToken(url, { basic: credentials, form: { ...GRANT, scope: 'platform' } }), 400, 'invalid_scope');
      expectOAuthError(
        await requestToken(url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: { ...GRANT, scope: 'root' } }),
        400,
        'invalid_scope',
      );
    });
  });

  describe('access tokens on /api', () => {
    it('answers 401 in the common error shape, with WWW-Authenticate: Bearer, without a token', async () => {
      const response = await apiRequest(url, 'GET', '/api/tenants');
      expectError(response, 401, /access token/i);
      expect(response.body.error).toBe('Unauthorized');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    const badHeaders: Array<[string, (token: string) => string]> = [
      ['a bearer value that is no token', () => 'Bearer not-a-token'],
      ['a token with a changed signature', (token) => `Bearer ${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`],
      ['a token whose claims were changed', (token) => {
        const [header, , signature] = token.split('.');
        const claims = Buffer.from(JSON.stringify({ sub: 'x', kind: 'platform', tid: null, scope: 'platform', exp: 9_999_999_999 })).toString('base64url');
        return `Bearer ${header}.${claims}.${signature}`;
      }],
      ['HTTP Basic client credentials instead of a token', () => `Basic ${basicCredentials(ADMIN_ID, ADMIN_SECRET)}`],
      ['the token without the Bearer scheme', (token) => token],
    ];
    it.each(badHeaders)('answers 401 in the common error shape for %s', async (_name, header) => {
      const response = await apiRequest(url, 'GET', '/api/tenants', { headers: { authorization: header(admin.token) } });
      expectError(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('answers 401 for a token that has expired (TOKEN_TTL_SECONDS=1)', async () => {
      const shortLived = await startTestService(database, { ...SERVICE_ENV, ROLE: 'api', TOKEN_TTL_SECONDS: '1' });
      try {
        // Tokens expire on a whole second: ask for one just after a second begins, so it lives ~1 s.
        await sleep(1000 - (Date.now() % 1000) + 20);
        const issued = await requestToken(shortLived.url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: GRANT });
        expect(issued.status).toBe(200);
        expect(issued.body.expires_in).toBe(1);
        const token = issued.body.access_token as string;
        // Valid until it expires (on a machine this slow that it already has, the check below is what counts).
        if (Date.now() < tokenClaims(token).exp * 1000 - 200) {
          expect((await apiRequest(shortLived.url, 'GET', '/api/tenants', { token })).status).toBe(200);
        }

        const expired = await pollUntil(
          () => apiRequest(shortLived.url, 'GET', '/api/tenants', { token }),
          (response) => response.status !== 200,
          3000,
          'the token expired',
        );
        expect(Date.now()).toBeGreaterThanOrEqual(tokenClaims(token).exp * 1000);
        expectError(expired, 401, /invalid or expired/);
        expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/);
        // Another API process (same signing key) refuses it too.
        expectError(await apiRequest(url, 'GET', '/api/tenants', { token }), 401);
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('platform bootstrap and OAuth clients', () => {
    it('the ADMIN_CLIENT_ID client is a platform client that creates tenants', async () => {
      const issued = await requestToken(url, { json: { ...GRANT, client_id: ADMIN_ID, client_secret: ADMIN_SECRET } });
      expect(issued.status).toBe(200);
      expect(issued.body.scope).toBe('platform');
      expect(tokenClaims(issued.body.access_token)).toMatchObject({ kind: 'platform', scope: 'platform' });
      const created = await apiRequest(url, 'POST', '/api/tenants', { token: issued.body.access_token, body: { name: 'Bootstrapped' } });
      expect(created.status).toBe(201);
    });

    it('POST /api/clients creates a tenant client (secret shown once) whose token carries its scopes', async () => {
      const tenantId = await createTenant('Client tenant');
      const created = await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['keys:read', 'webhooks:read'] });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ clientId: expect.stringMatching(/^hfc_/), clientSecret: expect.stringMatching(/^hfs_/) });

      const issued = await requestToken(url, { basic: created.body, form: GRANT });
      expect(issued.status).toBe(200);
      expect(issued.body.scope).toBe('keys:read webhooks:read');
      const client = new AdminApi(url, issued.body.access_token);
      expect((await client.get(`/api/tenants/${tenantId}/api-keys`)).status).toBe(200);
      expect((await client.get(`/api/tenants/${tenantId}/webhooks`)).status).toBe(200);
      expectError(await client.post(`/api/tenants/${tenantId}/api-keys`, { name: 'No' }), 403, 'keys:write');

      const another = await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['keys:read'] });
      expect(another.body.clientId).not.toBe(created.body.clientId);
      expect(another.body.clientSecret).not.toBe(created.body.clientSecret);
    });

    it('POST /api/clients creates a platform client that acts on every tenant', async () => {
      const created = await admin.post('/api/clients', { kind: 'platform' });
      expect(created.status).toBe(201);
      const platform = await AdminApi.login(url, created.body.clientId, created.body.clientSecret);
      const tenant = await platform.post('/api/tenants', { name: 'By a new platform client' });
      expect(tenant.status).toBe(201);
      const otherTenant = await createTenant('Other');
      expect((await platform.get(`/api/tenants/${otherTenant}/api-keys`)).status).toBe(200);
    });

    const badClients: Array<[string, (tenantId: string) => unknown, number, string]> = [
      ['a tenant client without scopes', (tenantId) => ({ kind: 'tenant', tenantId, scopes: [] }), 400, 'scopes'],
      ['a tenant client without a tenant', () => ({ kind: 'tenant', scopes: ['keys:read'] }), 400, 'tenant'],
      ['an unknown scope', (tenantId) => ({ kind: 'tenant', tenantId, scopes: ['keys:read', 'root'] }), 400, 'scopes'],
      ['an unknown kind', () => ({ kind: 'root' }), 400, 'kind'],
      ['a tenant id that is no UUID', () => ({ kind: 'tenant', tenantId: 'acme', scopes: ['keys:read'] }), 400, 'tenantId'],
      ['an unknown property', () => ({ kind: 'platform', name: 'x' }), 400, 'name'],
      ['a tenant that does not exist', () => ({ kind: 'tenant', tenantId: randomUUID(), scopes: ['keys:read'] }), 404, 'does not exist'],
    ];
    it.each(badClients)('POST /api/clients refuses %s', async (_name, body, status, named) => {
      const tenantId = await createTenant('Refused clients');
      expectError(await admin.post('/api/clients', body(tenantId)), status, named);
    });
  });

  describe('tenants', () => {
    it('POST /api/tenants → 201 {id, name}; GET /api/tenants lists it; GET /api/tenants/:id answers it', async () => {
      const created = await admin.post('/api/tenants', { name: '  Acme  ' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.stringMatching(UUID), name: 'Acme', rateLimitPerMinute: null });
      const list = await admin.get('/api/tenants');
      expect(list.status).toBe(200);
      expect(list.body).toContainEqual(created.body);
      const one = await admin.get(`/api/tenants/${created.body.id}`);
      expect({ status: one.status, body: one.body }).toEqual({ status: 200, body: created.body });
    });

    it('answers 404 for a tenant that does not exist, on its routes too', async () => {
      const missing = randomUUID();
      expectError(await admin.get(`/api/tenants/${missing}`), 404, missing);
      expectError(await admin.get(`/api/tenants/${missing}/api-keys`), 404);
      expectError(await admin.get(`/api/tenants/${missing}/processes`), 404);
      expectError(await admin.post(`/api/tenants/${missing}/api-keys`, { name: 'x' }), 404);
    });

    it.each([
      ['no name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a name that is no string', { name: 42 }, 'name'],
      ['an unknown property', { name: 'Acme', plan: 'gold' }, 'plan'],
    ])('POST /api/tenants with %s → 400 naming the property', async (_name, body, named) => {
      expectError(await admin.post('/api/tenants', body), 400, named);
    });
  });

  describe('API keys', () => {
    it('POST → 201 with the key shown once; GET lists keys without secrets, with lastUsedAt once used', async () => {
      const tenantId = await createTenant('Keys');
      const created = await admin.post(`/api/tenants/${tenantId}/api-keys`, { name: 'Landing page' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'Landing page',
        apiKey: expect.stringMatching(/^hf_[A-Za-z0-9_-]{43}$/),
        webhookUrl: expect.stringMatching(/\/webhooks\/hf_/),
      });
      const { id, apiKey, webhookUrl } = created.body;
      expect(webhookUrl.endsWith(`/webhooks/${apiKey}`)).toBe(true);

      const before = await admin.get(`/api/tenants/${tenantId}/api-keys`);
      expect(before.status).toBe(200);
      expect(before.body).toEqual([
        {
          id,
          name: 'Landing page',
          prefix: apiKey.slice(0, 8),
          createdAt: expect.any(String),
          lastUsedAt: null,
          revokedAt: null,
          signatureScheme: null,
          previousKeyValidUntil: null,
          rateLimitPerMinute: null,
        },
      ]);
      expect(before.text).not.toContain(apiKey);

      const sentAt = Date.now();
      await send(apiKey, { EntityName: 'Lead', Contact: 'Key user' });
      const after = await pollUntil(
        () => admin.get(`/api/tenants/${tenantId}/api-keys`),
        (response) => response.body[0]?.lastUsedAt !== null,
        5000,
        'lastUsedAt is set',
      );
      expect(Date.parse(after.body[0].lastUsedAt)).toBeGreaterThanOrEqual(sentAt - 1000);
      expect(after.text).not.toContain(apiKey);
    });

    it('rotate: the new key works at once, the old one during the grace period, then answers 401', async () => {
      const tenantId = await createTenant('Rotation');
      const key = await createKey(tenantId, 'Rotated');
      const rotatedAt = Date.now();
      const rotated = await admin.post(`/api/tenants/${tenantId}/api-keys/${key.id}/rotate`);
      expect(rotated.status).toBe(200);
      expect(rotated.body).toEqual({
        id: key.id,
        name: 'Rotated',
        apiKey: expect.stringMatching(/^hf_[A-Za-z0-9_-]{43}$/),
        webhookUrl: expect.any(String),
        previousKeyValidUntil: expect.any(String),
      });
      expect(rotated.body.apiKey).not.toBe(key.apiKey);
      const validUntil = Date.parse(rotated.body.previousKeyValidUntil);
      expect(validUntil - rotatedAt).toBeGreaterThan(3000);
      expect(validUntil - rotatedAt).toBeLessThanOrEqual(5000);

      const byNew = await send(rotated.body.apiKey, { EntityName: 'Lead', Contact: 'New key' });
      const byOld = await send(key.apiKey, { EntityName: 'Lead', Contact: 'Old key' });
      expect(Date.now()).toBeLessThan(validUntil);
      expect((await settle(tenantId, byNew)).apiKeyId).toBe(key.id);
      expect((await settle(tenantId, byOld)).apiKeyId).toBe(key.id);

      const listed = await admin.get(`/api/tenants/${tenantId}/api-keys`);
      expect(listed.body).toEqual([
        expect.objectContaining({ id: key.id, prefix: rotated.body.apiKey.slice(0, 8), previousKeyValidUntil: rotated.body.previousKeyValidUntil }),
      ]);

      const refused = await pollUntil(
        () => apiRequest(url, 'POST', `/webhooks/${key.apiKey}`, { body: { EntityName: 'Lead', Contact: 'Too late' } }),
        (response) => response.status !== 202,
        8000,
        'the old key is refused after the grace period',
      );
      expect(Date.now()).toBeGreaterThanOrEqual(validUntil - 50);
      expectError(refused, 401);
      expect((await apiRequest(url, 'POST', `/webhooks/${rotated.body.apiKey}`, { body: { EntityName: 'Lead', Contact: 'Still' } })).status).toBe(202);
    });

    it('DELETE revokes: 204, and the key is refused (401) at once', async () => {
      const tenantId = await createTenant('Revocation');
      const key = await createKey(tenantId, 'Revoked');
      await send(key.apiKey, { EntityName: 'Lead', Contact: 'Before' });

      const revoked = await admin.delete(`/api/tenants/${tenantId}/api-keys/${key.id}`);
      expect(revoked.status).toBe(204);
      expect(revoked.text).toBe('');

      expectError(await apiRequest(url, 'POST', `/webhooks/${key.apiKey}`, { body: { EntityName: 'Lead', Contact: 'After' } }), 401);
      expectError(await apiRequest(url, 'POST', `/get_entities/${key.apiKey}`), 401);
      const listed = await admin.get(`/api/tenants/${tenantId}/api-keys`);
      expect(listed.body).toEqual([expect.objectContaining({ id: key.id, revokedAt: expect.any(String) })]);
      expectError(await admin.post(`/api/tenants/${tenantId}/api-keys/${key.id}/rotate`), 409, 'revoked');
    });

    it('DELETE of a rotated key refuses its previous key too, within the grace period', async () => {
      const tenantId = await createTenant('Rotated then revoked');
      const key = await createKey(tenantId, 'Rotated then revoked');
      const rotated = await admin.post(`/api/tenants/${tenantId}/api-keys/${key.id}/rotate`);
      expect(rotated.status).toBe(200);
      expect((await admin.delete(`/api/tenants/${tenantId}/api-keys/${key.id}`)).status).toBe(204);
      expect(Date.now()).toBeLessThan(Date.parse(rotated.body.previousKeyValidUntil));
      expectError(await apiRequest(url, 'POST', `/webhooks/${key.apiKey}`, { body: { EntityName: 'Lead' } }), 401);
      expectError(await apiRequest(url, 'POST', `/webhooks/${rotated.body.apiKey}`, { body: { EntityName: 'Lead' } }), 401);
    });

    it.each([
      ['DELETE', 'api-keys/:missing'],
      ['POST', 'api-keys/:missing/rotate'],
    ])('%s %s answers 404 for a key that does not exist', async (method, path) => {
      const tenantId = await createTenant('Missing keys');
      expectError(await admin.request(method, `/api/tenants/${tenantId}/${path.replace(':missing', randomUUID())}`), 404);
    });

    it.each([
      ['no name', {}, 'name'],
      ['an unknown property', { name: 'Source', secret: 'mine' }, 'secret'],
    ])('POST api-keys with %s → 400 naming the property', async (_name, body, named) => {
      const tenantId = await createTenant('Bad keys');
      expectError(await admin.post(`/api/tenants/${tenantId}/api-keys`, body), 400, named);
    });
  });

  describe('catalogue', () => {
    let tenantId: string;

    beforeAll(async () => {
      tenantId = await createTenant('Catalogue');
    });

    it('GET entities answers the default catalogue with columns and inWebhookLookup', async () => {
      const response = await admin.get(`/api/tenants/${tenantId}/entities`);
      expect(response.status).toBe(200);
      expect(response.body.map((object: Json) => object.name)).toEqual(
        expect.arrayContaining(['Country', 'OrderStatus', 'Contact', 'Lead', 'Order', 'FormSubmit']),
      );
      const byName = Object.fromEntries(response.body.map((object: Json) => [object.name, object]));
      expect(byName.Country.inWebhookLookup).toBe(false);
      expect(byName.Lead).toMatchObject({ name: 'Lead', inWebhookLookup: true, displayColumn: 'Contact' });
      expect(byName.Lead.columns).toContainEqual({ name: 'CountryId', caption: 'Country', type: 'System.Guid', required: false, lookup: 'Country' });
    });

    it('POST entities adds an object get_entities lists; POST fields adds a column; PATCH takes it out of the lookup', async () => {
      const own = await createTenant('Ticketing');
      const key = await createKey(own);
      const created = await admin.post(`/api/tenants/${own}/entities`, {
        name: 'Ticket',
        caption: 'Support ticket',
        fields: [
          { name: 'Subject', type: 'System.String', required: true },
          { name: 'ContactId', caption: 'Contact', type: 'System.Guid', lookup: 'Contact' },
        ],
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        name: 'Ticket',
        caption: 'Support ticket',
        displayColumn: 'Subject',
        inWebhookLookup: true,
        columns: [
          { name: 'Id', caption: 'Id', type: 'System.Guid', required: true, lookup: null },
          { name: 'Subject', caption: 'Subject', type: 'System.String', required: true, lookup: null },
          { name: 'ContactId', caption: 'Contact', type: 'System.Guid', required: false, lookup: 'Contact' },
        ],
      });
      expect((await admin.get(`/api/tenants/${own}/entities`)).body).toContainEqual(created.body);

      const entities = await apiRequest(url, 'POST', `/get_entities/${key.apiKey}`);
      expect(entities.status).toBe(200);
      expect(entities.body.entities).toContainEqual({ name: 'Ticket', caption: 'Support ticket', formId: expect.stringMatching(UUID) });

      const field = await admin.post(`/api/tenants/${own}/entities/Ticket/fields`, { name: 'Priority', type: 'System.Int32' });
      expect(field.status).toBe(201);
      expect(field.body.columns.map((column: Json) => column.name)).toEqual(['Id', 'Subject', 'ContactId', 'Priority']);
      const description = await apiRequest(url, 'POST', `/get_entity_description/${key.apiKey}/Ticket`);
      expect(description.status).toBe(200);
      expect(description.body.value.entityModel.fields).toContainEqual({ required: false, name: 'Priority', net_type: 'System.Int32', caption: 'Priority' });

      // A webhook can now create a Ticket with the new column.
      const webhookId = await send(key.apiKey, { EntityName: 'Ticket', Subject: 'Printer on fire', Priority: '2' });
      const detail = await settle(own, webhookId);
      expect(detail.status).toBe('processed');
      expect(detail.records).toEqual([expect.objectContaining({ object: 'Ticket', Subject: 'Printer on fire', Priority: 2 })]);

      const hidden = await admin.patch(`/api/tenants/${own}/entities/Ticket`, { inWebhookLookup: false });
      expect(hidden.status).toBe(200);
      expect(hidden.body).toMatchObject({ name: 'Ticket', inWebhookLookup: false });
      const after = await apiRequest(url, 'POST', `/get_entities/${key.apiKey}`);
      expect(after.body.entities.map((entity: Json) => entity.name)).not.toContain('Ticket');
      expect(after.body.entities.map((entity: Json) => entity.name)).toContain('Lead');
      expect((await admin.get(`/api/tenants/${own}/entities`)).body).toContainEqual(expect.objectContaining({ name: 'Ticket', inWebhookLookup: false }));

      const shown = await admin.patch(`/api/tenants/${own}/entities/Ticket`, { inWebhookLookup: true });
      expect(shown.body.inWebhookLookup).toBe(true);
      expect((await apiRequest(url, 'POST', `/get_entities/${key.apiKey}`)).body.entities.map((entity: Json) => entity.name)).toContain('Ticket');
    });

    it('POST entities with inWebhookLookup false adds an object get_entities does not list', async () => {
      const own = await createTenant('Hidden objects');
      const key = await createKey(own);
      const created = await admin.post(`/api/tenants/${own}/entities`, { name: 'Internal', inWebhookLookup: false, fields: [{ name: 'Name', type: 'System.String' }] });
      expect(created.status).toBe(201);
      expect(created.body.inWebhookLookup).toBe(false);
      const entities = await apiRequest(url, 'POST', `/get_entities/${key.apiKey}`);
      expect(entities.body.entities.map((entity: Json) => entity.name)).not.toContain('Internal');
    });

    const invalid: Array<[string, string, string, unknown, string]> = [
      ['an object name starting with a digit', 'POST', 'entities', { name: '1Ticket', fields: [] }, 'name'],
      ['an object name with a dash', 'POST', 'entities', { name: 'Support-Ticket', fields: [] }, 'name'],
      ['an object without fields', 'POST', 'entities', { name: 'NoFields' }, 'fields'],
      ['an invalid field name', 'POST', 'entities', { name: 'BadField', fields: [{ name: 'bad name', type: 'System.String' }] }, 'fields.0.name'],
      ['a field redefining Id', 'POST', 'entities', { name: 'RedefinesId', fields: [{ name: 'Id', type: 'System.Guid' }] }, 'Id'],
      ['a field redefining CreatedOn', 'POST', 'entities', { name: 'RedefinesCreated', fields: [{ name: 'CreatedOn', type: 'System.DateTime' }] }, 'CreatedOn'],
      ['a field given twice', 'POST', 'entities', { name: 'Twice', fields: [{ name: 'A', type: 'System.String' }, { name: 'A', type: 'System.String' }] }, '"A"'],
      ['an unknown field type', 'POST', 'entities', { name: 'BadType', fields: [{ name: 'Score', type: 'System.Float' }] }, 'type'],
      ['an unknown property of the object', 'POST', 'entities', { name: 'Colourful', fields: [], colour: 'red' }, 'colour'],
      ['an unknown property of a field', 'POST', 'entities', { name: 'Unique', fields: [{ name: 'A', type: 'System.String', unique: true }] }, 'unique'],
      ['a column redefining Id', 'POST', 'entities/Lead/fields', { name: 'Id', type: 'System.Guid' }, 'Id'],
      ['a column redefining CreatedOn', 'POST', 'entities/Lead/fields', { name: 'CreatedOn', type: 'System.DateTime' }, 'CreatedOn'],
      ['a column redefining ModifiedOn', 'POST', 'entities/Lead/fields', { name: 'ModifiedOn', type: 'System.DateTime' }, 'ModifiedOn'],
      ['an invalid column name', 'POST', 'entities/Lead/fields', { name: 'Score!', type: 'System.Int32' }, 'name'],
      ['an unknown column type', 'POST', 'entities/Lead/fields', { name: 'Score', type: 'float' }, 'type'],
      ['a column without a type', 'POST', 'entities/Lead/fields', { name: 'Score' }, 'type'],
      ['an unknown property of a column', 'POST', 'entities/Lead/fields', { name: 'Score', type: 'System.Int32', default: 0 }, 'default'],
      ['a lookup column that is not a Guid', 'POST', 'entities/Lead/fields', { name: 'OwnerId', type: 'System.String', lookup: 'Contact' }, 'OwnerId'],
      ['a lookup to an object that does not exist', 'POST', 'entities/Lead/fields', { name: 'OwnerId', type: 'System.Guid', lookup: 'Nobody' }, 'Nobody'],
      ['inWebhookLookup that is no boolean', 'PATCH', 'entities/Lead', { inWebhookLookup: 'no' }, 'inWebhookLookup'],
      ['an unknown property of the update', 'PATCH', 'entities/Lead', { inWebhookLookup: true, caption: 'Leads' }, 'caption'],
    ];
    it.each(invalid)('refuses %s with 400 naming it (%s %s)', async (_name, method, path, body, named) => {
      expectError(await admin.request(method, `/api/tenants/${tenantId}/${path}`, body), 400, named);
    });

    it('kept nothing of the refused requests', async () => {
      const objects = (await admin.get(`/api/tenants/${tenantId}/entities`)).body;
      const names = objects.map((object: Json) => object.name);
      for (const refused of ['NoFields', 'BadField', 'RedefinesId', 'RedefinesCreated', 'Twice', 'BadType', 'Colourful', 'Unique']) {
        expect(names).not.toContain(refused);
      }
      const lead = objects.find((object: Json) => object.name === 'Lead');
      expect(lead.columns.map((column: Json) => column.name)).toEqual(['Id', 'Contact', 'Email', 'MobilePhone', 'CountryId', 'Account', 'Website', 'Budget', 'Notes']);
      expect(lead.inWebhookLookup).toBe(true);
    });

    it.each([
      ['an object that exists (Lead)', 'entities', { name: 'Lead', fields: [] }],
      ['a column that exists (Lead.Email)', 'entities/Lead/fields', { name: 'Email', type: 'System.String' }],
    ])('answers 409 for %s', async (_name, path, body) => {
      expectError(await admin.post(`/api/tenants/${tenantId}/${path}`, body), 409);
    });

    it('answers 409 when an object added over the API is added again', async () => {
      const body = { name: 'Once', fields: [{ name: 'Name', type: 'System.String' }] };
      expect((await admin.post(`/api/tenants/${tenantId}/entities`, body)).status).toBe(201);
      expectError(await admin.post(`/api/tenants/${tenantId}/entities`, body), 409, 'Once');
      expectError(await admin.post(`/api/tenants/${tenantId}/entities/Once/fields`, { name: 'Name', type: 'System.Int32' }), 409, 'Name');
    });

    it.each([
      ['POST', 'entities/Nothing/fields', { name: 'A', type: 'System.String' }],
      ['PATCH', 'entities/Nothing', { inWebhookLookup: false }],
    ])('%s %s answers 404 for an object that does not exist', async (method, path, body) => {
      expectError(await admin.request(method, `/api/tenants/${tenantId}/${path}`, body), 404, 'Nothing');
    });
  });

  describe('records', () => {
    it('POST records/Country → 201; a webhook naming the new Country resolves to it', async () => {
      const tenantId = await createTenant('Countries');
      const key = await createKey(tenantId);
      const created = await admin.post(`/api/tenants/${tenantId}/records/Country`, { Name: 'Atlantis', Code: 'AT' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        Id: expect.stringMatching(UUID),
        Name: 'Atlantis',
        Code: 'AT',
        CreatedOn: expect.any(String),
        ModifiedOn: expect.any(String),
      });
      const one = await admin.get(`/api/tenants/${tenantId}/records/Country/${created.body.Id}`);
      expect({ status: one.status, body: one.body }).toEqual({ status: 200, body: created.body });

      const webhookId = await send(key.apiKey, { EntityName: 'Lead', Contact: 'Ada', Country: 'Atlantis' });
      const detail = await settle(tenantId, webhookId);
      expect(detail.status).toBe('processed');
      expect(detail.records).toEqual([expect.objectContaining({ object: 'Lead', Contact: 'Ada', CountryId: created.body.Id })]);
      const lead = await admin.get(`/api/tenants/${tenantId}/records/Lead/${detail.recordIds[0]}`);
      expect(lead.status).toBe(200);
      expect(lead.body).toMatchObject({ Id: detail.recordIds[0], Contact: 'Ada', CountryId: created.body.Id });
    });

    it('GET records: filter[Column], limit and cursor page through every record once, newest first', async () => {
      const tenantId = await createTenant('Paging');
      const created: Json[] = [];
      for (let i = 0; i < 7; i++) {
        created.push(await createRecord(tenantId, 'Contact', { Name: `Person ${i}`, Email: `person${i}@example.com`, Notes: i % 2 === 0 ? 'even' : 'odd' }));
      }

      async function pages(query: Record<string, string>): Promise<Json[][]> {
        const seen: Json[][] = [];
        let cursor: string | null = null;
        do {
          const response: ApiResponse = await admin.get(`/api/tenants/${tenantId}/records/Contact`, cursor ? { ...query, cursor } : query);
          expect(response.status).toBe(200);
          seen.push(response.body.items);
          cursor = response.body.nextCursor;
          expect(seen.length).toBeLessThan(10);
        } while (cursor);
        return seen;
      }

      const all = await pages({ limit: '3' });
      expect(all.map((page) => page.length)).toEqual([3, 3, 1]);
      const ids = all.flat().map((record) => record.Id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(created.map((record) => record.Id).sort());
      const times = all.flat().map((record) => Date.parse(record.CreatedOn));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const even = await pages({ 'filter[Notes]': 'even', limit: '2' });
      expect(even.map((page) => page.length)).toEqual([2, 2]);
      expect(even.flat().map((record) => record.Name).sort()).toEqual(['Person 0', 'Person 2', 'Person 4', 'Person 6']);

      const byEmail = await admin.get(`/api/tenants/${tenantId}/records/Contact`, { 'filter[Email]': '  PERSON4@Example.com ' });
      expect(byEmail.status).toBe(200);
      expect(byEmail.body).toEqual({ items: [created[4]], nextCursor: null });

      const none = await admin.get(`/api/tenants/${tenantId}/records/Contact`, { 'filter[Email]': 'nobody@example.com' });
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });

    describe('refusals', () => {
      let tenantId: string;

      beforeAll(async () => {
        tenantId = await createTenant('Record refusals');
      });

      const refusals: Array<[string, string, string, Record<string, string> | undefined, unknown, number, string]> = [
        ['a list of an unknown entity', 'GET', 'records/Nothing', undefined, undefined, 404, 'Nothing'],
        ['a record of an unknown entity', 'GET', `records/Nothing/${randomUUID()}`, undefined, undefined, 404, 'Nothing'],
        ['a record that does not exist', 'GET', `records/Contact/${randomUUID()}`, undefined, undefined, 404, 'Contact'],
        ['a record of another entity (Canada as a Lead)', 'GET', `records/Lead/${CANADA_ID}`, undefined, undefined, 404, 'Lead'],
        ['a new record of an unknown entity', 'POST', 'records/Nothing', undefined, { Name: 'x' }, 404, 'Nothing'],
        ['a filter on an unknown column', 'GET', 'records/Contact', { 'filter[Nope]': 'x' }, undefined, 400, 'filter[Nope]'],
        ['limit 0', 'GET', 'records/Contact', { limit: '0' }, undefined, 400, 'limit'],
        ['limit 501', 'GET', 'records/Contact', { limit: '501' }, undefined, 400, 'limit'],
        ['a cursor the API did not give out', 'GET', 'records/Contact', { cursor: 'not-a-cursor' }, undefined, 400, 'cursor'],
        ['a new record without its required column', 'POST', 'records/Country', undefined, { Code: 'XX' }, 400, 'Name'],
        ['a new record with an unknown column', 'POST', 'records/Country', undefined, { Name: 'Xland', Bogus: 1 }, 400, 'Bogus'],
        ['a new record that sets Id', 'POST', 'records/Country', undefined, { Name: 'Xland', Id: randomUUID() }, 400, 'Id'],
        ['a new record with a value of the wrong type', 'POST', 'records/Contact', undefined, { Name: 'X', Age: 'old' }, 400, 'Age'],
        ['a new record with a lookup name that matches nothing', 'POST', 'records/Contact', undefined, { Name: 'X', Country: 'Xland' }, 400, 'Country'],
        ['a new record given as an array', 'POST', 'records/Country', undefined, [{ Name: 'Xland' }], 400, 'object'],
      ];
      it.each(refusals)('refuses %s (%s %s)', async (_name, method, path, query, body, status, named) => {
        const search = query ? `?${new URLSearchParams(query).toString()}` : '';
        expectError(await admin.request(method, `/api/tenants/${tenantId}/${path}${search}`, body), status, named);
      });

      it('wrote none of the refused records', async () => {
        const countries = await admin.get(`/api/tenants/${tenantId}/records/Country`, { 'filter[Name]': 'Xland' });
        expect(countries.body.items).toEqual([]);
        expect((await admin.get(`/api/tenants/${tenantId}/records/Contact`)).body.items).toEqual([]);
      });
    });
  });

  describe('processes', () => {
    it('GET processes lists the base processes with source, version and active', async () => {
      const tenantId = await createTenant('Process list');
      const response = await admin.get(`/api/tenants/${tenantId}/processes`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        expect.arrayContaining([
          { id: DEFAULT_PROCESS, name: base.name, source: 'base', version: 1, active: true },
          expect.objectContaining({ id: 'landing-page-lead', source: 'base', version: 1, active: false }),
          expect.objectContaining({ id: 'upsert-contact-by-email', source: 'base', version: 1, active: false }),
        ]),
      );
    });

    it('GET processes/:id answers the definition, the base and the versions; 404 for an unknown one', async () => {
      const tenantId = await createTenant('Process detail');
      const response = await admin.get(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: DEFAULT_PROCESS, source: 'base', version: 1, active: true, versions: [] });
      expect(response.body.definition).toMatchObject({ id: DEFAULT_PROCESS, version: 1, steps: base.steps });
      expect(response.body.base).toMatchObject({ id: DEFAULT_PROCESS, version: 1 });
      expectError(await admin.get(`/api/tenants/${tenantId}/processes/nothing-like-it`), 404, 'nothing-like-it');
    });

    it('deactivate and activate switch a process for the tenant, and webhooks follow', async () => {
      const tenantId = await createTenant('Switching');
      const key = await createKey(tenantId);
      const off = await admin.post(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/deactivate`);
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: DEFAULT_PROCESS, active: false, source: 'base' });
      expect((await admin.get(`/api/tenants/${tenantId}/processes`)).body).toContainEqual(expect.objectContaining({ id: DEFAULT_PROCESS, active: false }));
      const kept = await settle(tenantId, await send(key.apiKey, { EntityName: 'Lead', Contact: 'While off' }));
      expect(kept).toMatchObject({ status: 'received', reason: expect.stringMatching(/No active process/) });

      const on = await admin.post(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/activate`);
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ id: DEFAULT_PROCESS, active: true });
      const processed = await settle(tenantId, await send(key.apiKey, { EntityName: 'Lead', Contact: 'While on' }));
      expect(processed.status).toBe('processed');
      expectError(await admin.post(`/api/tenants/${tenantId}/processes/nothing-like-it/activate`), 404);
    });

    it('PUT overrides a base process (validated), revert runs the base again, rollback saves an earlier version anew', async () => {
      const tenantId = await createTenant('Overrides');
      const path = `/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}`;
      const saved = await admin.put(path, { definition: { ...base, name: 'Overridden' } });
      expect(saved.status).toBe(200);
      expect(saved.body).toEqual({ id: DEFAULT_PROCESS, name: 'Overridden', source: 'override', version: 2, active: true });

      const invalid = await admin.put(path, { definition: brokenDefinition });
      expectError(invalid, 400, '/steps/0/input/fields/Name');
      expectError(await admin.put(path, { definition: { ...base, id: 'another-id' } }), 400, 'another-id');
      expectError(await admin.put(path, {}), 400, 'definition');
      expectError(await admin.put(path, { definition: base, note: 'mine' }), 400, 'note');

      const detail = await admin.get(path);
      expect(detail.body).toMatchObject({ source: 'override', version: 2, definition: { name: 'Overridden' }, base: { version: 1 } });
      expect(detail.body.versions).toEqual([{ version: 2, note: null, createdAt: expect.any(String) }]);

      const reverted = await admin.post(`${path}/revert`);
      expect(reverted.status).toBe(200);
      expect(reverted.body).toMatchObject({ source: 'base', version: 1, name: base.name });

      const rolledBack = await admin.post(`${path}/rollback`, { version: 2 });
      expect(rolledBack.status).toBe(200);
      expect(rolledBack.body).toMatchObject({ source: 'override', version: 3, name: 'Overridden' });
      expect((await admin.get(path)).body.versions.map((entry: Json) => [entry.version, entry.note])).toEqual([
        [3, 'rollback to version 2'],
        [2, null],
      ]);

      expectError(await admin.post(`${path}/rollback`, { version: 9 }), 404, '9');
      expectError(await admin.post(`${path}/rollback`, { version: 0 }), 400, 'version');
      expectError(await admin.post(`${path}/rollback`, { version: '2' }), 400, 'version');
      expectError(await admin.post(`${path}/rollback`, {}), 400, 'version');
    });

    it('POST creates a custom process; PUT saves a new version of it; DELETE removes it with 204', async () => {
      const tenantId = await createTenant('Custom processes');
      const key = await createKey(tenantId);
      const list = `/api/tenants/${tenantId}/processes`;
      const custom = { ...upsertExample, id: 'crm-contacts', name: 'CRM contacts', activeByDefault: true };

      const created = await admin.post(list, { definition: custom });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: 'crm-contacts', name: 'CRM contacts', source: 'custom', version: 1, active: true });
      expectError(await admin.post(list, { definition: custom }), 409, 'crm-contacts');
      expectError(await admin.post(list, { definition: { ...custom, id: DEFAULT_PROCESS } }), 409);
      expectError(await admin.post(list, { definition: { ...brokenDefinition, id: 'broken' } }), 400, '/steps/0/input/fields/Name');
      expectError(await admin.post(list, { definition: 'not an object' }), 400, 'definition');

      const updated = await admin.put(`${list}/crm-contacts`, { definition: { ...custom, name: 'CRM contacts v2' } });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({ id: 'crm-contacts', name: 'CRM contacts v2', source: 'custom', version: 2, active: true });

      const detail = await settle(tenantId, await send(key.apiKey, { Email: 'Mary@Example.com', Name: 'Mary' }));
      expect(detail.status).toBe('processed');
      expect(detail.records).toEqual([expect.objectContaining({ object: 'Contact', Email: 'mary@example.com', Name: 'Mary' })]);
      expect(detail.runs).toContainEqual(expect.objectContaining({ processId: 'crm-contacts', processVersion: 2, status: 'succeeded' }));

      const removed = await admin.delete(`${list}/crm-contacts`);
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expectError(await admin.get(`${list}/crm-contacts`), 404);
      expect((await admin.get(list)).body.map((process: Json) => process.id)).not.toContain('crm-contacts');
      expectError(await admin.delete(`${list}/crm-contacts`), 404);
      expectError(await admin.delete(`${list}/${DEFAULT_PROCESS}`), 409, 'base process');
    });

    it('POST processes/:id/test dry-runs the process: trace and would-be records, and writes nothing', async () => {
      const tenantId = await createTenant('Dry runs');
      const path = `/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/test`;
      const result = await admin.post(path, { payload: { EntityName: 'Lead', Contact: 'Dry run', Country: 'Canada' } });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        processId: DEFAULT_PROCESS,
        version: 1,
        started: true,
        status: 'succeeded',
        error: null,
        trace: [
          expect.objectContaining({ step: 'object', type: 'resolve-object', status: 'ok' }),
          expect.objectContaining({ step: 'fields', type: 'map-parameters', status: 'ok' }),
          expect.objectContaining({ step: 'record', type: 'create-record', status: 'ok' }),
        ],
        records: [{ step: 'record', action: 'create', object: 'Lead', recordId: null, values: { Contact: 'Dry run', CountryId: CANADA_ID } }],
      });

      const failing = await admin.post(path, { payload: { EntityName: 'Nothing' } });
      expect(failing.status).toBe(200);
      expect(failing.body).toMatchObject({ status: 'failed', error: { code: expect.any(String), message: expect.stringContaining('Nothing') }, records: [] });

      expectError(await admin.post(path, {}), 400, 'payload');
      expectError(await admin.post(`/api/tenants/${tenantId}/processes/nothing-like-it/test`, { payload: {} }), 404);

      expect((await admin.get(`/api/tenants/${tenantId}/records/Lead`)).body.items).toEqual([]);
      expect((await admin.get(`/api/tenants/${tenantId}/webhooks`)).body.items).toEqual([]);
      expect((await admin.get(`/api/tenants/${tenantId}/runs`)).body).toEqual([]);
    });

    it('POST processes/test dry-runs an unsaved definition, and writes nothing', async () => {
      const tenantId = await createTenant('Draft runs');
      const path = `/api/tenants/${tenantId}/processes/test`;
      const result = await admin.post(path, { definition: nestedOverride, payload: formBuilderPayload });
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({
        processId: DEFAULT_PROCESS,
        status: 'succeeded',
        error: null,
        trace: [expect.objectContaining({ step: 'submission', status: 'ok' })],
        records: [{ action: 'create', object: 'FormSubmit', values: { Name: 'Katherine Johnson', Email: 'kj@example.com', Notes: 'Form lT4Z3j' } }],
      });
      expectError(await admin.post(path, { definition: brokenDefinition, payload: {} }), 400, '/steps/0/input/fields/Name');
      expectError(await admin.post(path, { payload: {} }), 400, 'definition');
      expectError(await admin.post(path, { definition: nestedOverride, payload: {}, extra: 1 }), 400, 'extra');

      expect((await admin.get(`/api/tenants/${tenantId}/records/FormSubmit`)).body.items).toEqual([]);
      expect((await admin.get(`/api/tenants/${tenantId}/processes`)).body).toContainEqual(expect.objectContaining({ id: DEFAULT_PROCESS, source: 'base', version: 1 }));
    });

    it('POST processes/what-if compares a draft with stored webhooks, and writes nothing', async () => {
      const tenantId = await createTenant('What if');
      const key = await createKey(tenantId);
      const unmapped = await settle(tenantId, await send(key.apiKey, formBuilderPayload));
      const mapped = await settle(tenantId, await send(key.apiKey, { EntityName: 'Lead', Contact: 'Mapped already' }));
      expect([unmapped.status, mapped.status]).toEqual(['received', 'processed']);
      const path = `/api/tenants/${tenantId}/processes/what-if`;

      const report = await admin.post(path, { definition: nestedOverride, status: 'received' });
      expect(report.status).toBe(200);
      expect(report.body).toEqual({
        processId: DEFAULT_PROCESS,
        compared: 1,
        complete: true,
        stoppedReason: null,
        wouldNowWrite: 1,
        entries: [
          {
            webhook: { id: unmapped.id, receivedAt: unmapped.receivedAt, status: 'received', reason: expect.any(String), recordIds: [] },
            draft: {
              started: true,
              status: 'succeeded',
              error: null,
              records: [expect.objectContaining({ action: 'create', object: 'FormSubmit', values: expect.objectContaining({ Name: 'Katherine Johnson' }) })],
            },
          },
        ],
      });

      const byId = await admin.post(path, { definition: nestedOverride, webhookIds: [mapped.id] });
      expect(byId.body).toMatchObject({ compared: 1, wouldNowWrite: 0, entries: [{ webhook: { id: mapped.id, status: 'processed' } }] });

      expectError(await admin.post(path, { definition: nestedOverride, limit: 500 }), 400, 'limit');
      expectError(await admin.post(path, { definition: nestedOverride, webhookIds: ['not-a-uuid'] }), 400, 'webhookIds');
      expectError(await admin.post(path, { definition: nestedOverride, from: 'last week' }), 400, 'from');
      expectError(await admin.post(path, { definition: brokenDefinition }), 400, '/steps/0/input/fields/Name');

      expect((await admin.get(`/api/tenants/${tenantId}/records/FormSubmit`)).body.items).toEqual([]);
      expect((await admin.get(`/api/tenants/${tenantId}/webhooks/${unmapped.id}`)).body).toMatchObject({ status: 'received', recordIds: [] });
    });
  });

  describe('webhook log', () => {
    let tenantId: string;
    let first: { id: string; apiKey: string };
    let second: { id: string; apiKey: string };
    let all: Json[];
    const ids: Record<'processed' | 'received' | 'headers' | 'otherKey', string> = { processed: '', received: '', headers: '', otherKey: '' };

    beforeAll(async () => {
      tenantId = await createTenant('Webhook log');
      first = await createKey(tenantId, 'Source 1');
      second = await createKey(tenantId, 'Source 2');
      ids.processed = await send(first.apiKey, { EntityName: 'Lead', Contact: 'First' });
      ids.received = await send(first.apiKey, { Contact: 'Without an entity' });
      ids.headers = await send(first.apiKey, { EntityName: 'Lead', Contact: 'Headers' }, {
        authorization: 'Bearer very-secret-token-123',
        'x-custom': 'custom value',
      });
      ids.otherKey = await send(second.apiKey, { EntityName: 'Lead', Contact: 'Other key' });
      for (const id of Object.values(ids)) await settle(tenantId, id);
      all = (await admin.get(`/api/tenants/${tenantId}/webhooks`)).body.items;
    });

    it('GET webhooks lists every webhook, newest first, without payloads', async () => {
      const response = await admin.get(`/api/tenants/${tenantId}/webhooks`);
      expect(response.status).toBe(200);
      expect(response.body.nextCursor).toBeNull();
      const items = response.body.items;
      expect(items.map((item: Json) => item.id).sort()).toEqual(Object.values(ids).sort());
      const times = items.map((item: Json) => Date.parse(item.receivedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // receivedAt follows the order the webhooks were sent in.
      const sentAt = [ids.processed, ids.received, ids.headers, ids.otherKey].map((id) => Date.parse(items.find((item: Json) => item.id === id).receivedAt));
      expect(sentAt).toEqual([...sentAt].sort((x, y) => x - y));
      for (const item of items) expect(Object.keys(item).sort()).toEqual(['apiKeyId', 'id', 'nextAttemptAt', 'reason', 'receivedAt', 'recordIds', 'status']);
    });

    it('GET webhooks?status= filters by status', async () => {
      const processed = await admin.get(`/api/tenants/${tenantId}/webhooks`, { status: 'processed' });
      expect(processed.body.items.map((item: Json) => item.id).sort()).toEqual([ids.processed, ids.headers, ids.otherKey].sort());
      const received = await admin.get(`/api/tenants/${tenantId}/webhooks`, { status: 'received' });
      expect(received.body.items).toEqual([expect.objectContaining({ id: ids.received, status: 'received', recordIds: [] })]);
      expect((await admin.get(`/api/tenants/${tenantId}/webhooks`, { status: 'failed' })).body.items).toEqual([]);
    });

    it('GET webhooks?apiKeyId= filters by key', async () => {
      const byFirst = await admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: first.id });
      expect(byFirst.body.items.map((item: Json) => item.id).sort()).toEqual([ids.processed, ids.received, ids.headers].sort());
      const bySecond = await admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: second.id });
      expect(bySecond.body.items.map((item: Json) => item.id)).toEqual([ids.otherKey]);
    });

    it('GET webhooks?from=&to= filters by time of receipt', async () => {
      const from = all.find((item) => item.id === ids.received).receivedAt as string;
      const to = all.find((item) => item.id === ids.headers).receivedAt as string;
      const expected = all.filter((item) => item.receivedAt >= from && item.receivedAt <= to).map((item) => item.id);
      expect(expected).toEqual(expect.arrayContaining([ids.received, ids.headers]));
      const between = await admin.get(`/api/tenants/${tenantId}/webhooks`, { from, to });
      expect(between.status).toBe(200);
      expect(between.body.items.map((item: Json) => item.id)).toEqual(expected);
      const since = await admin.get(`/api/tenants/${tenantId}/webhooks`, { from });
      expect(since.body.items.map((item: Json) => item.id)).toEqual(all.filter((item) => item.receivedAt >= from).map((item) => item.id));
      const future = await admin.get(`/api/tenants/${tenantId}/webhooks`, { from: new Date(Date.now() + 3_600_000).toISOString() });
      expect(future.body.items).toEqual([]);
    });

    it('GET webhooks?limit=&cursor= pages through the log once, in order', async () => {
      const seen: Json[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = cursor ? { limit: '1', cursor } : { limit: '1' };
        const response: ApiResponse = await admin.get(`/api/tenants/${tenantId}/webhooks`, query);
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeLessThanOrEqual(1);
        seen.push(...response.body.items);
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen.map((item) => item.id)).toEqual(all.map((item) => item.id));
      expect(pages).toBe(4);
      const firstKeyPages = await admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: first.id, limit: '2' });
      const next = await admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: first.id, limit: '2', cursor: firstKeyPages.body.nextCursor });
      expect([...firstKeyPages.body.items, ...next.body.items].map((item: Json) => item.id)).toEqual(
        all.filter((item) => item.apiKeyId === first.id).map((item) => item.id),
      );
      expect(next.body.nextCursor).toBeNull();
    });

    it.each([
      ['status', 'bogus'],
      ['from', 'yesterday'],
      ['to', 'not-a-time'],
      ['limit', '0'],
      ['limit', 'many'],
      ['cursor', 'not-a-cursor'],
    ])('GET webhooks?%s=%s → 400 naming the parameter', async (name, value) => {
      expectError(await admin.get(`/api/tenants/${tenantId}/webhooks`, { [name]: value }), 400, name);
    });

    it('GET webhooks/:id answers payload, safe headers, runs with traces and records', async () => {
      const response = await admin.get(`/api/tenants/${tenantId}/webhooks/${ids.headers}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: ids.headers,
        apiKeyId: first.id,
        apiKeyName: 'Source 1',
        status: 'processed',
        contentType: 'application/json',
        payload: { EntityName: 'Lead', Contact: 'Headers' },
      });
      expect(response.body.headers['x-custom']).toBe('custom value');
      expect(response.body.headers).not.toHaveProperty('authorization');
      expect(response.text).not.toContain('very-secret-token-123');
      expect(response.body).not.toHaveProperty('tenantId');
      const [recordId] = response.body.recordIds;
      expect(response.body.runs).toEqual([
        expect.objectContaining({
          processId: DEFAULT_PROCESS,
          processVersion: 1,
          status: 'succeeded',
          recordIds: [recordId],
          trace: [
            expect.objectContaining({ step: 'object', status: 'ok' }),
            expect.objectContaining({ step: 'fields', status: 'ok' }),
            expect.objectContaining({ step: 'record', status: 'ok' }),
          ],
        }),
      ]);
      expect(response.body.records).toEqual([expect.objectContaining({ object: 'Lead', Id: recordId, Contact: 'Headers' })]);
    });

    it('GET webhooks/:id of a webhook kept without a record shows the failed run and its reason', async () => {
      const response = await admin.get(`/api/tenants/${tenantId}/webhooks/${ids.received}`);
      expect(response.body).toMatchObject({ status: 'received', reason: expect.stringContaining('EntityName'), recordIds: [], records: [] });
      expect(response.body.runs).toEqual([expect.objectContaining({ processId: DEFAULT_PROCESS, status: 'failed', reason: expect.stringContaining('EntityName') })]);
    });

    it('GET webhooks/:id answers 404 for a webhook that does not exist', async () => {
      expectError(await admin.get(`/api/tenants/${tenantId}/webhooks/${randomUUID()}`), 404);
    });
  });

  describe('replay', () => {
    it('replays a received webhook once its Country exists; refuses a processed one unless forced', async () => {
      const tenantId = await createTenant('Replay');
      const key = await createKey(tenantId);
      const webhookId = await send(key.apiKey, { EntityName: 'Lead', Contact: 'Replayed', Country: 'Narnia' });
      const kept = await settle(tenantId, webhookId);
      expect(kept).toMatchObject({ status: 'received', reason: expect.stringContaining('Narnia'), recordIds: [] });

      const narnia = await createRecord(tenantId, 'Country', { Name: 'Narnia' });
      const path = `/api/tenants/${tenantId}/webhooks/${webhookId}/replay`;
      const replayed = await admin.post(path, {});
      expect(replayed.status).toBe(202);
      expect(replayed.body).toEqual({ runIds: [expect.stringMatching(UUID)] });

      const processed = await settle(tenantId, webhookId, (detail) => detail.runs.some((run: Json) => run.id === replayed.body.runIds[0]));
      expect(processed.status).toBe('processed');
      expect(processed.records).toEqual([expect.objectContaining({ object: 'Lead', Contact: 'Replayed', CountryId: narnia.Id })]);
      expect(processed.runs).toHaveLength(2);
      expect(processed.runs).toContainEqual(expect.objectContaining({ id: replayed.body.runIds[0], status: 'succeeded' }));

      expectError(await admin.post(path, {}), 409, /force/);

      const forced = await admin.post(path, { force: true });
      expect(forced.status).toBe(202);
      expect(forced.body).toEqual({ runIds: [expect.stringMatching(UUID)] });
      expect(forced.body.runIds[0]).not.toBe(replayed.body.runIds[0]);
      const again = await settle(tenantId, webhookId, (detail) => detail.runs.some((run: Json) => run.id === forced.body.runIds[0]));
      expect(again.status).toBe('processed');
      const leads = await admin.get(`/api/tenants/${tenantId}/records/Lead`, { 'filter[Contact]': 'Replayed' });
      expect(leads.body.items).toHaveLength(2);
      expect(leads.body.items.map((lead: Json) => lead.CountryId)).toEqual([narnia.Id, narnia.Id]);
      expect(new Set(leads.body.items.map((lead: Json) => lead.Id)).size).toBe(2);
    });

    it.each([
      ['force that is no boolean', { force: 'yes' }, 400, 'force'],
      ['an unknown property', { force: true, dryRun: true }, 400, 'dryRun'],
    ])('POST webhooks/:id/replay refuses %s', async (_name, body, status, named) => {
      const tenantId = await createTenant('Replay refusals');
      const key = await createKey(tenantId);
      const webhookId = await send(key.apiKey, { EntityName: 'Lead', Contact: 'Refused replay' });
      await settle(tenantId, webhookId);
      expectError(await admin.post(`/api/tenants/${tenantId}/webhooks/${webhookId}/replay`, body), status, named);
    });

    it('POST webhooks/:id/replay answers 404 for a webhook that does not exist', async () => {
      const tenantId = await createTenant('Replay of nothing');
      expectError(await admin.post(`/api/tenants/${tenantId}/webhooks/${randomUUID()}/replay`, {}), 404);
    });

    it('POST webhooks/replay {status: received} queues the received webhooks, and they get processed', async () => {
      const tenantId = await createTenant('Bulk replay');
      const key = await createKey(tenantId);
      const waiting = [
        await send(key.apiKey, { EntityName: 'Lead', Contact: 'Oz 1', Country: 'Oz' }),
        await send(key.apiKey, { EntityName: 'Lead', Contact: 'Oz 2', Country: 'Oz' }),
      ];
      const fine = await send(key.apiKey, { EntityName: 'Lead', Contact: 'Fine' });
      for (const id of waiting) expect((await settle(tenantId, id)).status).toBe('received');
      expect((await settle(tenantId, fine)).status).toBe('processed');
      const oz = await createRecord(tenantId, 'Country', { Name: 'Oz' });

      const path = `/api/tenants/${tenantId}/webhooks/replay`;
      const queued = await admin.post(path, { status: 'received' });
      expect(queued.status).toBe(202);
      expect(queued.body).toMatchObject({ id: expect.any(String), status: 'running', total: 2 });
      for (const id of waiting) {
        const detail = await settle(tenantId, id, (webhook) => webhook.runs.length === 2);
        expect(detail.status).toBe('processed');
        expect(detail.records).toEqual([expect.objectContaining({ object: 'Lead', CountryId: oz.Id })]);
      }
      expect((await admin.get(`/api/tenants/${tenantId}/webhooks/${fine}`)).body.runs).toHaveLength(1);
      expect((await admin.post(path, { status: 'received' })).body).toMatchObject({ status: 'completed', total: 0 });

      expectError(await admin.post(path, { status: 'processed' }), 400, 'status');
      expectError(await admin.post(path, {}), 400, 'status');
      expectError(await admin.post(path, { status: 'received', limit: 0 }), 400, 'limit');
      expectError(await admin.post(path, { status: 'received', from: 'last week' }), 400, 'from');
      expectError(await admin.post(path, { status: 'received', everything: true }), 400, 'everything');
    });
  });

  describe('runs', () => {
    it('GET runs lists runs newest first, filtered by status and processId', async () => {
      const tenantId = await createTenant('Runs');
      const key = await createKey(tenantId, 'Landing page');
      expect((await admin.post(`/api/tenants/${tenantId}/processes/landing-page-lead/activate`)).status).toBe(200);
      await settle(tenantId, await send(key.apiKey, { EntityName: 'Lead', Contact: 'Succeeds' }));
      await settle(tenantId, await send(key.apiKey, { Contact: 'Fails without an entity' }));
      await settle(tenantId, await send(key.apiKey, { name: 'Landing', email: 'landing@example.com' }));

      const path = `/api/tenants/${tenantId}/runs`;
      const all = await admin.get(path);
      expect(all.status).toBe(200);
      const runs: Json[] = all.body;
      expect(runs.length).toBeGreaterThanOrEqual(4);
      const times = runs.map((run) => Date.parse(run.startedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(runs[0]).not.toHaveProperty('tenantId');

      // Runs of one webhook may start in the same millisecond: compare as sets, ordered by time.
      const idsOf = (list: Json[]) => list.map((run) => run.id).sort();
      const newestFirst = (list: Json[]) => {
        const starts = list.map((run) => Date.parse(run.startedAt));
        expect(starts).toEqual([...starts].sort((x, y) => y - x));
      };

      const failed = await admin.get(path, { status: 'failed' });
      expect(failed.body.length).toBeGreaterThan(0);
      expect(idsOf(failed.body)).toEqual(idsOf(runs.filter((run) => run.status === 'failed')));
      newestFirst(failed.body);

      const landing = await admin.get(path, { processId: 'landing-page-lead' });
      expect(landing.body.length).toBeGreaterThan(0);
      expect(idsOf(landing.body)).toEqual(idsOf(runs.filter((run) => run.processId === 'landing-page-lead')));
      expect(landing.body).toContainEqual(expect.objectContaining({ status: 'succeeded', processId: 'landing-page-lead' }));
      newestFirst(landing.body);

      const both = await admin.get(path, { status: 'succeeded', processId: DEFAULT_PROCESS });
      expect(both.body.length).toBeGreaterThan(0);
      expect(idsOf(both.body)).toEqual(idsOf(runs.filter((run) => run.status === 'succeeded' && run.processId === DEFAULT_PROCESS)));
      expect((await admin.get(path, { processId: 'upsert-contact-by-email' })).body).toEqual([]);
      const newest = await admin.get(path, { limit: '1' });
      expect(newest.body).toHaveLength(1);
      expect(newest.body[0].startedAt).toBe(runs[0].startedAt);

      expectError(await admin.get(path, { status: 'bogus' }), 400, 'status');
      expectError(await admin.get(path, { limit: '501' }), 400, 'limit');
    });
  });

  describe('OpenAPI document', () => {
    let document: Json;

    beforeAll(async () => {
      const response = await apiRequest(url, 'GET', '/docs-json');
      expect(response.status).toBe(200);
      document = response.body;
    });

    it('is valid OpenAPI 3', async () => {
      expect(document.openapi).toMatch(/^3\./);
      const result = await new Validator().validate(document);
      if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
      expect(result.valid).toBe(true);
    });

    it('has an OAuth2 client-credentials security scheme with tokenUrl /oauth/token', () => {
      const schemes = Object.values(document.components?.securitySchemes ?? {}) as Json[];
      const oauth = schemes.find((scheme) => scheme.type === 'oauth2');
      expect(oauth?.flows?.clientCredentials?.tokenUrl).toBe('/oauth/token');
      expect(Object.keys(oauth.flows.clientCredentials.scopes)).toEqual(expect.arrayContaining(['platform', 'keys:write', 'webhooks:read']));
    });

    const routes: Array<[string, string]> = [
      ['post', '/oauth/token'],
      ['post', '/webhooks/{apiKey}'],
      ['post', '/get_entities/{apiKey}'],
      ['post', '/get_entity_description/{apiKey}/{entityName}'],
      ['post', '/api/tenants'],
      ['get', '/api/tenants'],
      ['get', '/api/tenants/{tenantId}'],
      ['post', '/api/clients'],
      ['post', '/api/tenants/{tenantId}/api-keys'],
      ['get', '/api/tenants/{tenantId}/api-keys'],
      ['post', '/api/tenants/{tenantId}/api-keys/{id}/rotate'],
      ['delete', '/api/tenants/{tenantId}/api-keys/{id}'],
      ['get', '/api/tenants/{tenantId}/entities'],
      ['post', '/api/tenants/{tenantId}/entities'],
      ['post', '/api/tenants/{tenantId}/entities/{name}/fields'],
      ['patch', '/api/tenants/{tenantId}/entities/{name}'],
      ['get', '/api/tenants/{tenantId}/records/{entity}'],
      ['post', '/api/tenants/{tenantId}/records/{entity}'],
      ['get', '/api/tenants/{tenantId}/records/{entity}/{id}'],
      ['get', '/api/tenants/{tenantId}/processes'],
      ['post', '/api/tenants/{tenantId}/processes'],
      ['get', '/api/tenants/{tenantId}/processes/{id}'],
      ['put', '/api/tenants/{tenantId}/processes/{id}'],
      ['delete', '/api/tenants/{tenantId}/processes/{id}'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/activate'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/deactivate'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/revert'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/rollback'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/test'],
      ['post', '/api/tenants/{tenantId}/processes/test'],
      ['post', '/api/tenants/{tenantId}/processes/what-if'],
      ['get', '/api/tenants/{tenantId}/webhooks'],
      ['get', '/api/tenants/{tenantId}/webhooks/{id}'],
      ['post', '/api/tenants/{tenantId}/webhooks/{id}/replay'],
      ['post', '/api/tenants/{tenantId}/webhooks/replay'],
      ['get', '/api/tenants/{tenantId}/replays/{id}'],
      ['patch', '/api/tenants/{tenantId}'],
      ['patch', '/api/tenants/{tenantId}/api-keys/{id}'],
      ['get', '/api/tenants/{tenantId}/runs'],
    ];
    it.each(routes)('documents %s %s', (method, path) => {
      const operation = document.paths?.[path]?.[method];
      expect(operation).toBeDefined();
      if (path.startsWith('/api/')) {
        // Admin routes declare the OAuth2 scheme.
        const oauthName = Object.entries(document.components.securitySchemes).find(([, scheme]) => (scheme as Json).type === 'oauth2')![0];
        expect(operation.security).toContainEqual({ [oauthName]: [] });
      }
    });
  });
});
