import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { expectError, UUID, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('tenants', () => {
    it('POST /api/tenants → 201 {id, name}; GET /api/tenants lists it; GET /api/tenants/:id answers it', async () => {
      const created = await api.admin.post('/api/tenants', { name: '  Acme  ' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.stringMatching(UUID), name: 'Acme', rateLimitPerMinute: null });
      const list = await api.admin.get('/api/tenants');
      expect(list.status).toBe(200);
      expect(list.body).toContainEqual(created.body);
      const one = await api.admin.get(`/api/tenants/${created.body.id}`);
      expect({ status: one.status, body: one.body }).toEqual({ status: 200, body: created.body });
    });

    it('answers 404 for a tenant that does not exist, on its routes too', async () => {
      const missing = randomUUID();
      expectError(await api.admin.get(`/api/tenants/${missing}`), 404, missing);
      expectError(await api.admin.get(`/api/tenants/${missing}/api-keys`), 404);
      expectError(await api.admin.get(`/api/tenants/${missing}/processes`), 404);
      expectError(await api.admin.post(`/api/tenants/${missing}/api-keys`, { name: 'x' }), 404);
    });

    it.each([
      ['no name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a name that is no string', { name: 42 }, 'name'],
      ['an unknown property', { name: 'Acme', plan: 'gold' }, 'plan'],
    ])('POST /api/tenants with %s → 400 naming the property', async (_name, body, named) => {
      expectError(await api.admin.post('/api/tenants', body), 400, named);
    });
  });
});
