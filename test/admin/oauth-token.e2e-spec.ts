import { describe, expect, it } from '@jest/globals';
import { apiRequest, requestToken, type ApiResponse } from '../support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, expectError, GRANT, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

/** Form-urlencoding as RFC 6749 §2.3.1 asks for the parts of HTTP Basic credentials ("+" for a space). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

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
      expect((await apiRequest(api.url, 'GET', '/api/tenants', { token: response.body.access_token })).status).toBe(200);
    }

    function expectOAuthError(response: ApiResponse, status: number, error: string): void {
      expect({ status: response.status, body: response.body }).toEqual({
        status,
        body: { error, error_description: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) },
      });
      expect(response.headers.get('cache-control')).toBe('no-store');
    }

    it('issues a token for client credentials given by HTTP Basic', async () => {
      await expectWorkingToken(await requestToken(api.url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: GRANT }));
    });

    it('decodes Basic credentials as form-urlencoded, where "+" is a space (RFC 6749 §2.3.1)', async () => {
      const rawBasic = Buffer.from(`${formEncode(ADMIN_ID)}:${formEncode(ADMIN_SECRET)}`).toString('base64');
      await expectWorkingToken(await requestToken(api.url, { rawBasic, form: GRANT }));
    });

    it('issues a token for client credentials in a form body', async () => {
      await expectWorkingToken(await requestToken(api.url, { form: { ...GRANT, client_id: ADMIN_ID, client_secret: ADMIN_SECRET } }));
    });

    it('issues a token for client credentials in a JSON body', async () => {
      await expectWorkingToken(await requestToken(api.url, { json: { ...GRANT, client_id: ADMIN_ID, client_secret: ADMIN_SECRET } }));
    });

    it('issues a token with a narrower scope when one is asked for', async () => {
      const response = await requestToken(api.url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: { ...GRANT, scope: 'keys:read' } });
      expect(response.status).toBe(200);
      expect(response.body.scope).toBe('keys:read');
      // Without the platform scope, the token may not create tenants.
      expectError(await apiRequest(api.url, 'POST', '/api/tenants', { token: response.body.access_token, body: { name: 'No' } }), 403);
    });

    it('answers 401 invalid_client with WWW-Authenticate for a wrong secret by HTTP Basic', async () => {
      const response = await requestToken(api.url, { basic: { clientId: ADMIN_ID, clientSecret: `${ADMIN_SECRET}x` }, form: GRANT });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it('answers 401 invalid_client with WWW-Authenticate for a wrong secret in the body', async () => {
      const response = await requestToken(api.url, { json: { ...GRANT, client_id: ADMIN_ID, client_secret: 'wrong-secret-0123456789' } });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toBeTruthy();
    });

    it('answers 401 invalid_client for an unknown client, the same as for a wrong secret', async () => {
      const response = await requestToken(api.url, { basic: { clientId: 'nobody', clientSecret: ADMIN_SECRET }, form: GRANT });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it('answers 401 invalid_client when no credentials are given', async () => {
      expectOAuthError(await requestToken(api.url, { form: GRANT }), 401, 'invalid_client');
    });

    it('answers an OAuth error, not a 500, for Basic credentials that are not valid percent-encoding', async () => {
      // The secret sent as is (as `curl -u` does): its "%zz" is no escape.
      const rawBasic = Buffer.from(`${ADMIN_ID}:${ADMIN_SECRET}`).toString('base64');
      const response = await requestToken(api.url, { rawBasic, form: GRANT });
      expect({ status: response.status, error: response.body?.error }).toEqual(
        response.status === 400 ? { status: 400, error: 'invalid_request' } : { status: 401, error: 'invalid_client' },
      );
    });

    it('answers 400 unsupported_grant_type for another grant', async () => {
      const response = await requestToken(api.url, {
        basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET },
        form: { grant_type: 'password', username: 'a', password: 'b' },
      });
      expectOAuthError(response, 400, 'unsupported_grant_type');
    });

    it('answers 400 invalid_request without grant_type', async () => {
      expectOAuthError(await requestToken(api.url, { json: { client_id: ADMIN_ID, client_secret: ADMIN_SECRET } }), 400, 'invalid_request');
    });

    it('answers 400 invalid_scope for a scope the client does not have', async () => {
      const tenantId = await api.createTenant('Scopes');
      const client = await api.admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['webhooks:read'] });
      expect(client.status).toBe(201);
      const credentials = { clientId: client.body.clientId, clientSecret: client.body.clientSecret };
      expectOAuthError(await requestToken(api.url, { basic: credentials, form: { ...GRANT, scope: 'webhooks:read keys:write' } }), 400, 'invalid_scope');
      expectOAuthError(await requestToken(api.url, { basic: credentials, form: { ...GRANT, scope: 'platform' } }), 400, 'invalid_scope');
      expectOAuthError(
        await requestToken(api.url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: { ...GRANT, scope: 'root' } }),
        400,
        'invalid_scope',
      );
    });
  });
});
