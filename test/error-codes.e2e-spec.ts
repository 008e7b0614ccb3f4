import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ErrorCode, HTTP_STATUS } from '../src/common/app-error.js';
import { AdminApi, apiRequest, requestToken, type ApiResponse } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN_ID = 'e2e-error-codes';
const ADMIN_SECRET = 'e2e-error-codes-secret-0123456789';

/** The common error shape: the status, its reason phrase, a message and the stable code. */
function expectCode(response: ApiResponse, status: number, code: ErrorCode): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { statusCode: status, error: expect.any(String), message: expect.any(String), code },
  });
}

describe("the README's table of error codes", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it.each(Object.values(ErrorCode))('lists %s with its HTTP status', (code) => {
    expect(readme).toContain(`| \`${code}\` | ${HTTP_STATUS[code]} |`);
  });

  const RUN_OUTCOMES = { webhook: 'kept `received`', transient: 'retried', system: '`failed`' };
  it.each(Object.values(ErrorCode))('says what becomes of a run failing with %s, as ERROR_CODES decides', (code) => {
    expect(readme).toContain(`| \`${code}\` | ${HTTP_STATUS[code]} | ${RUN_OUTCOMES[ERROR_CODES[code].failure]} |`);
  });
});

describe.each(databaseKinds())('error codes in every error body (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let url: string;
  let platform: AdminApi;
  let tenantId: string;
  let apiKey: string;
  let reader: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET, API_KEY_CACHE_MS: '0' });
    url = hookflow.url;
    platform = await AdminApi.login(url, ADMIN_ID, ADMIN_SECRET);
    ({ tenantId, apiKey } = await hookflow.newTenant('Errors'));
    const client = await platform.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['webhooks:read'] });
    expect(client.status).toBe(201);
    reader = await AdminApi.login(url, client.body.clientId, client.body.clientSecret);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  describe('webhook route (AppError and Fastify errors)', () => {
    it('an unknown API key → 401 INVALID_API_KEY', async () => {
      expectCode(await apiRequest(url, 'POST', `/webhooks/hf_${'A'.repeat(43)}`, { body: { EntityName: 'Lead' } }), 401, ErrorCode.InvalidApiKey);
    });

    it('malformed JSON → 400 INVALID_BODY', async () => {
      expectCode(await apiRequest(url, 'POST', `/webhooks/${apiKey}`, { body: '{"EntityName": ' }), 400, ErrorCode.InvalidBody);
    });

    it('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
      const body = JSON.stringify({ EntityName: 'Lead', Notes: 'x'.repeat(hookflow.config.maxBodyBytes) });
      expectCode(await apiRequest(url, 'POST', `/webhooks/${apiKey}`, { body }), 413, ErrorCode.PayloadTooLarge);
    });

    it('a Content-Type without a parser → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await apiRequest(url, 'POST', `/webhooks/${apiKey}`, { body: 'EntityName=Lead', headers: { 'content-type': 'text/plain' } });
      expectCode(response, 415, ErrorCode.UnsupportedMediaType);
    });

    it('GET on the webhook URL → 405 METHOD_NOT_ALLOWED', async () => {
      expectCode(await apiRequest(url, 'GET', `/webhooks/${apiKey}`), 405, ErrorCode.MethodNotAllowed);
    });
  });

  describe('admin API', () => {
    it('no access token → 401 UNAUTHENTICATED', async () => {
      expectCode(await apiRequest(url, 'GET', '/api/tenants'), 401, ErrorCode.Unauthenticated);
    });

    it('a scope the client lacks → 403 FORBIDDEN', async () => {
      expectCode(await reader.get(`/api/tenants/${tenantId}/processes`), 403, ErrorCode.Forbidden);
    });

    it('an unknown process → 404 NOT_FOUND', async () => {
      expectCode(await platform.get(`/api/tenants/${tenantId}/processes/no-such-process`), 404, ErrorCode.NotFound);
    });

    it('a property the validation pipe refuses → 400 INVALID_ARGUMENT', async () => {
      expectCode(await platform.post('/api/tenants', { name: 'T', colour: 'red' }), 400, ErrorCode.InvalidArgument);
    });

    it('malformed JSON → 400 INVALID_BODY', async () => {
      expectCode(await platform.request('POST', '/api/tenants', '{"name": '), 400, ErrorCode.InvalidBody);
    });
  });

  describe('routes outside the API', () => {
    it('an unknown route → 404 NOT_FOUND', async () => {
      expectCode(await apiRequest(url, 'GET', '/no/such/route'), 404, ErrorCode.NotFound);
    });

    it('a missing console file → 404 NOT_FOUND', async () => {
      expectCode(await apiRequest(url, 'GET', '/console/assets/no-such-file.js'), 404, ErrorCode.NotFound);
    });

    it('the console session without a cookie → 401 UNAUTHENTICATED', async () => {
      expectCode(await apiRequest(url, 'GET', '/api/session'), 401, ErrorCode.Unauthenticated);
    });
  });

  describe('catalogue protocol', () => {
    it('an unknown API key → 401 INVALID_API_KEY', async () => {
      expectCode(await apiRequest(url, 'POST', `/get_entities/hf_${'B'.repeat(43)}`), 401, ErrorCode.InvalidApiKey);
    });

    it('an object outside the lookup keeps the protocol envelope and adds the code', async () => {
      const response = await apiRequest(url, 'POST', `/get_entity_description/${apiKey}/Invoice`);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: ErrorCode.NotFound, value: { isSuccess: false, code: 404 } });
    });
  });

  describe('OAuth token endpoint (RFC 6749 §5.2 shape)', () => {
    it('wrong client credentials → 401 invalid_client with code UNAUTHENTICATED', async () => {
      const response = await requestToken(url, { basic: { clientId: ADMIN_ID, clientSecret: 'wrong' }, form: { grant_type: 'client_credentials' } });
      expect({ status: response.status, body: response.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: expect.any(String), code: ErrorCode.Unauthenticated },
      });
    });

    it('an unsupported grant → 400 unsupported_grant_type with code INVALID_ARGUMENT', async () => {
      const response = await requestToken(url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: { grant_type: 'password' } });
      expect({ status: response.status, body: response.body }).toEqual({
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: expect.any(String), code: ErrorCode.InvalidArgument },
      });
    });
  });
});
