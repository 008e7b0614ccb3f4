import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Json } from '../support/admin-client.js';
import { expectError, UUID, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('replay', () => {
    it('replays a received webhook once its Country exists; refuses a processed one unless forced', async () => {
      const tenantId = await api.createTenant('Replay');
      const key = await api.createKey(tenantId);
      const webhookId = await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Replayed', Country: 'Narnia' });
      const kept = await api.settle(tenantId, webhookId);
      expect(kept).toMatchObject({ status: 'received', reason: expect.stringContaining('Narnia'), recordIds: [] });

      const narnia = await api.createRecord(tenantId, 'Country', { Name: 'Narnia' });
      const path = `/api/tenants/${tenantId}/webhooks/${webhookId}/replay`;
      const replayed = await api.admin.post(path, {});
      expect(replayed.status).toBe(202);
      expect(replayed.body).toEqual({ runIds: [expect.stringMatching(UUID)] });

      const processed = await api.settle(tenantId, webhookId, (detail) => detail.runs.some((run: Json) => run.id === replayed.body.runIds[0]));
      expect(processed.status).toBe('processed');
      expect(processed.records).toEqual([expect.objectContaining({ object: 'Lead', Contact: 'Replayed', CountryId: narnia.Id })]);
      expect(processed.runs).toHaveLength(2);
      expect(processed.runs).toContainEqual(expect.objectContaining({ id: replayed.body.runIds[0], status: 'completed' }));

      expectError(await api.admin.post(path, {}), 409, /force/);

      const forced = await api.admin.post(path, { force: true });
      expect(forced.status).toBe(202);
      expect(forced.body).toEqual({ runIds: [expect.stringMatching(UUID)] });
      expect(forced.body.runIds[0]).not.toBe(replayed.body.runIds[0]);
      const again = await api.settle(tenantId, webhookId, (detail) => detail.runs.some((run: Json) => run.id === forced.body.runIds[0]));
      expect(again.status).toBe('processed');
      const leads = await api.admin.get(`/api/tenants/${tenantId}/records/Lead`, { 'filter[Contact]': 'Replayed' });
      expect(leads.body.items).toHaveLength(2);
      expect(leads.body.items.map((lead: Json) => lead.CountryId)).toEqual([narnia.Id, narnia.Id]);
      expect(new Set(leads.body.items.map((lead: Json) => lead.Id)).size).toBe(2);
    });

    it.each([
      ['force that is no boolean', { force: 'yes' }, 400, 'force'],
      ['an unknown property', { force: true, dryRun: true }, 400, 'dryRun'],
    ])('POST webhooks/:id/replay refuses %s', async (_name, body, status, named) => {
      const tenantId = await api.createTenant('Replay refusals');
      const key = await api.createKey(tenantId);
      const webhookId = await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Refused replay' });
      await api.settle(tenantId, webhookId);
      expectError(await api.admin.post(`/api/tenants/${tenantId}/webhooks/${webhookId}/replay`, body), status, named);
    });

    it('POST webhooks/:id/replay answers 404 for a webhook that does not exist', async () => {
      const tenantId = await api.createTenant('Replay of nothing');
      expectError(await api.admin.post(`/api/tenants/${tenantId}/webhooks/${randomUUID()}/replay`, {}), 404);
    });

    it('POST webhooks/replay {status: received} queues the received webhooks, and they get processed', async () => {
      const tenantId = await api.createTenant('Bulk replay');
      const key = await api.createKey(tenantId);
      const waiting = [
        await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Oz 1', Country: 'Oz' }),
        await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Oz 2', Country: 'Oz' }),
      ];
      const fine = await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Fine' });
      for (const id of waiting) expect((await api.settle(tenantId, id)).status).toBe('received');
      expect((await api.settle(tenantId, fine)).status).toBe('processed');
      const oz = await api.createRecord(tenantId, 'Country', { Name: 'Oz' });

      const path = `/api/tenants/${tenantId}/webhooks/replay`;
      const queued = await api.admin.post(path, { status: 'received' });
      expect(queued.status).toBe(202);
      expect(queued.body).toMatchObject({ id: expect.any(String), status: 'running', total: 2 });
      for (const id of waiting) {
        const detail = await api.settle(tenantId, id, (webhook) => webhook.runs.length === 2);
        expect(detail.status).toBe('processed');
        expect(detail.records).toEqual([expect.objectContaining({ object: 'Lead', CountryId: oz.Id })]);
      }
      expect((await api.admin.get(`/api/tenants/${tenantId}/webhooks/${fine}`)).body.runs).toHaveLength(1);
      expect((await api.admin.post(path, { status: 'received' })).body).toMatchObject({ status: 'completed', total: 0 });

      expectError(await api.admin.post(path, { status: 'processed' }), 400, 'status');
      expectError(await api.admin.post(path, {}), 400, 'status');
      expectError(await api.admin.post(path, { status: 'received', limit: 0 }), 400, 'limit');
      expectError(await api.admin.post(path, { status: 'received', from: 'last week' }), 400, 'from');
      expectError(await api.admin.post(path, { status: 'received', everything: true }), 400, 'everything');
    });
  });
});
