import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AdminApi, apiRequest, requestToken } from '../support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, expectError, GRANT, tokenClaims, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('platform bootstrap and OAuth clients', () => {
    it('the ADMIN_CLIENT_ID client is a platform client that creates tenants', async () => {
      const issued = await requestToken(api.url, { json: { ...GRANT, client_id: ADMIN_ID, client_secret: ADMIN_SECRET } });
      expect(issued.status).toBe(200);
      expect(issued.body.scope).toBe('platform');
      expect(tokenClaims(issued.body.access_token)).toMatchObject({ kind: 'platform', scope: 'platform' });
      const created = await apiRequest(api.url, 'POST', '/api/tenants', { token: issued.body.access_token, body: { name: 'Bootstrapped' } });
      expect(created.status).toBe(201);
    });

    it('POST /api/clients creates a tenant client (secret shown once) whose token carries its scopes', async () => {
      const tenantId = await api.createTenant('Client tenant');
      const created = await api.admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['keys:read', 'webhooks:read'] });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ clientId: expect.stringMatching(/^hfc_/), clientSecret: expect.stringMatching(/^hfs_/) });

      const issued = await requestToken(api.url, { basic: created.body, form: GRANT });
      expect(issued.status).toBe(200);
      expect(issued.body.scope).toBe('keys:read webhooks:read');
      const client = new AdminApi(api.url, issued.body.access_token);
      expect((await client.get(`/api/tenants/${tenantId}/api-keys`)).status).toBe(200);
      expect((await client.get(`/api/tenants/${tenantId}/webhooks`)).status).toBe(200);
      expectError(await client.post(`/api/tenants/${tenantId}/api-keys`, { name: 'No' }), 403, 'keys:write');

      const another = await api.admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['keys:read'] });
      expect(another.body.clientId).not.toBe(created.body.clientId);
      expect(another.body.clientSecret).not.toBe(created.body.clientSecret);
    });

    it('POST /api/clients creates a platform client that acts on every tenant', async () => {
      const created = await api.admin.post('/api/clients', { kind: 'platform' });
      expect(created.status).toBe(201);
      const platform = await AdminApi.login(api.url, created.body.clientId, created.body.clientSecret);
      const tenant = await platform.post('/api/tenants', { name: 'By a new platform client' });
      expect(tenant.status).toBe(201);
      const otherTenant = await api.createTenant('Other');
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
      const tenantId = await api.createTenant('Refused clients');
      expectError(await api.admin.post('/api/clients', body(tenantId)), status, named);
    });
  });
});
