import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { apiRequest, pollUntil } from '../support/admin-client.js';
import { expectError, UUID, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('API keys', () => {
    it('POST → 201 with the key shown once; GET lists keys without secrets, with lastUsedAt once used', async () => {
      const tenantId = await api.createTenant('Keys');
      const created = await api.admin.post(`/api/tenants/${tenantId}/api-keys`, { name: 'Landing page' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'Landing page',
        apiKey: expect.stringMatching(/^hf_[A-Za-z0-9_-]{43}$/),
        webhookUrl: expect.stringMatching(/\/webhooks\/hf_/),
      });
      const { id, apiKey, webhookUrl } = created.body;
      expect(webhookUrl.endsWith(`/webhooks/${apiKey}`)).toBe(true);

      const before = await api.admin.get(`/api/tenants/${tenantId}/api-keys`);
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
      await api.send(apiKey, { EntityName: 'Lead', Contact: 'Key user' });
      const after = await pollUntil(
        () => api.admin.get(`/api/tenants/${tenantId}/api-keys`),
        (response) => response.body[0]?.lastUsedAt !== null,
        5000,
        'lastUsedAt is set',
      );
      expect(Date.parse(after.body[0].lastUsedAt)).toBeGreaterThanOrEqual(sentAt - 1000);
      expect(after.text).not.toContain(apiKey);
    });

    it('rotate: the new key works at once, the old one during the grace period, then answers 401', async () => {
      const tenantId = await api.createTenant('Rotation');
      const key = await api.createKey(tenantId, 'Rotated');
      const rotatedAt = Date.now();
      const rotated = await api.admin.post(`/api/tenants/${tenantId}/api-keys/${key.id}/rotate`);
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

      const byNew = await api.send(rotated.body.apiKey, { EntityName: 'Lead', Contact: 'New key' });
      const byOld = await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Old key' });
      expect(Date.now()).toBeLessThan(validUntil);
      expect((await api.settle(tenantId, byNew)).apiKeyId).toBe(key.id);
      expect((await api.settle(tenantId, byOld)).apiKeyId).toBe(key.id);

      const listed = await api.admin.get(`/api/tenants/${tenantId}/api-keys`);
      expect(listed.body).toEqual([
        expect.objectContaining({ id: key.id, prefix: rotated.body.apiKey.slice(0, 8), previousKeyValidUntil: rotated.body.previousKeyValidUntil }),
      ]);

      const refused = await pollUntil(
        () => apiRequest(api.url, 'POST', `/webhooks/${key.apiKey}`, { body: { EntityName: 'Lead', Contact: 'Too late' } }),
        (response) => response.status !== 202,
        8000,
        'the old key is refused after the grace period',
      );
      expect(Date.now()).toBeGreaterThanOrEqual(validUntil - 50);
      expectError(refused, 401);
      expect((await apiRequest(api.url, 'POST', `/webhooks/${rotated.body.apiKey}`, { body: { EntityName: 'Lead', Contact: 'Still' } })).status).toBe(202);
    });

    it('DELETE revokes: 204, and the key is refused (401) at once', async () => {
      const tenantId = await api.createTenant('Revocation');
      const key = await api.createKey(tenantId, 'Revoked');
      await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Before' });

      const revoked = await api.admin.delete(`/api/tenants/${tenantId}/api-keys/${key.id}`);
      expect(revoked.status).toBe(204);
      expect(revoked.text).toBe('');

      expectError(await apiRequest(api.url, 'POST', `/webhooks/${key.apiKey}`, { body: { EntityName: 'Lead', Contact: 'After' } }), 401);
      expectError(await apiRequest(api.url, 'POST', `/get_entities/${key.apiKey}`), 401);
      const listed = await api.admin.get(`/api/tenants/${tenantId}/api-keys`);
      expect(listed.body).toEqual([expect.objectContaining({ id: key.id, revokedAt: expect.any(String) })]);
      expectError(await api.admin.post(`/api/tenants/${tenantId}/api-keys/${key.id}/rotate`), 409, 'revoked');
    });

    it('DELETE of a rotated key refuses its previous key too, within the grace period', async () => {
      const tenantId = await api.createTenant('Rotated then revoked');
      const key = await api.createKey(tenantId, 'Rotated then revoked');
      const rotated = await api.admin.post(`/api/tenants/${tenantId}/api-keys/${key.id}/rotate`);
      expect(rotated.status).toBe(200);
      expect((await api.admin.delete(`/api/tenants/${tenantId}/api-keys/${key.id}`)).status).toBe(204);
      expect(Date.now()).toBeLessThan(Date.parse(rotated.body.previousKeyValidUntil));
      expectError(await apiRequest(api.url, 'POST', `/webhooks/${key.apiKey}`, { body: { EntityName: 'Lead' } }), 401);
      expectError(await apiRequest(api.url, 'POST', `/webhooks/${rotated.body.apiKey}`, { body: { EntityName: 'Lead' } }), 401);
    });

    it.each([
      ['DELETE', 'api-keys/:missing'],
      ['POST', 'api-keys/:missing/rotate'],
    ])('%s %s answers 404 for a key that does not exist', async (method, path) => {
      const tenantId = await api.createTenant('Missing keys');
      expectError(await api.admin.request(method, `/api/tenants/${tenantId}/${path.replace(':missing', randomUUID())}`), 404);
    });

    it.each([
      ['no name', {}, 'name'],
      ['an unknown property', { name: 'Source', secret: 'mine' }, 'secret'],
    ])('POST api-keys with %s → 400 naming the property', async (_name, body, named) => {
      const tenantId = await api.createTenant('Bad keys');
      expectError(await api.admin.post(`/api/tenants/${tenantId}/api-keys`, body), 400, named);
    });
  });
});
