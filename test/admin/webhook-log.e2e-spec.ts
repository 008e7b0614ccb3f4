import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DEFAULT_PROCESS } from '../fixtures/form-builder.js';
import type { ApiResponse, Json } from '../support/admin-client.js';
import { expectError, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('webhook log', () => {
    let tenantId: string;
    let first: { id: string; apiKey: string };
    let second: { id: string; apiKey: string };
    let all: Json[];
    const ids: Record<'processed' | 'received' | 'headers' | 'otherKey', string> = { processed: '', received: '', headers: '', otherKey: '' };

    beforeAll(async () => {
      tenantId = await api.createTenant('Webhook log');
      first = await api.createKey(tenantId, 'Source 1');
      second = await api.createKey(tenantId, 'Source 2');
      ids.processed = await api.send(first.apiKey, { EntityName: 'Lead', Contact: 'First' });
      ids.received = await api.send(first.apiKey, { Contact: 'Without an entity' });
      ids.headers = await api.send(
        first.apiKey,
        { EntityName: 'Lead', Contact: 'Headers' },
        {
          authorization: 'Bearer very-secret-token-123',
          'x-custom': 'custom value',
        },
      );
      ids.otherKey = await api.send(second.apiKey, { EntityName: 'Lead', Contact: 'Other key' });
      for (const id of Object.values(ids)) await api.settle(tenantId, id);
      all = (await api.admin.get(`/api/tenants/${tenantId}/webhooks`)).body.items;
    });

    it('GET webhooks lists every webhook, newest first, without payloads', async () => {
      const response = await api.admin.get(`/api/tenants/${tenantId}/webhooks`);
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
      const processed = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { status: 'processed' });
      expect(processed.body.items.map((item: Json) => item.id).sort()).toEqual([ids.processed, ids.headers, ids.otherKey].sort());
      const received = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { status: 'received' });
      expect(received.body.items).toEqual([expect.objectContaining({ id: ids.received, status: 'received', recordIds: [] })]);
      expect((await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { status: 'failed' })).body.items).toEqual([]);
    });

    it('GET webhooks?apiKeyId= filters by key', async () => {
      const byFirst = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: first.id });
      expect(byFirst.body.items.map((item: Json) => item.id).sort()).toEqual([ids.processed, ids.received, ids.headers].sort());
      const bySecond = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: second.id });
      expect(bySecond.body.items.map((item: Json) => item.id)).toEqual([ids.otherKey]);
    });

    it('GET webhooks?from=&to= filters by time of receipt', async () => {
      const from = all.find((item) => item.id === ids.received).receivedAt as string;
      const to = all.find((item) => item.id === ids.headers).receivedAt as string;
      const expected = all.filter((item) => item.receivedAt >= from && item.receivedAt <= to).map((item) => item.id);
      expect(expected).toEqual(expect.arrayContaining([ids.received, ids.headers]));
      const between = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { from, to });
      expect(between.status).toBe(200);
      expect(between.body.items.map((item: Json) => item.id)).toEqual(expected);
      const since = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { from });
      expect(since.body.items.map((item: Json) => item.id)).toEqual(all.filter((item) => item.receivedAt >= from).map((item) => item.id));
      const future = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { from: new Date(Date.now() + 3_600_000).toISOString() });
      expect(future.body.items).toEqual([]);
    });

    it('GET webhooks?limit=&cursor= pages through the log once, in order', async () => {
      const seen: Json[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = cursor ? { limit: '1', cursor } : { limit: '1' };
        const response: ApiResponse = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, query);
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeLessThanOrEqual(1);
        seen.push(...response.body.items);
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen.map((item) => item.id)).toEqual(all.map((item) => item.id));
      expect(pages).toBe(4);
      const firstKeyPages = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: first.id, limit: '2' });
      const next = await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { apiKeyId: first.id, limit: '2', cursor: firstKeyPages.body.nextCursor });
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
      expectError(await api.admin.get(`/api/tenants/${tenantId}/webhooks`, { [name]: value }), 400, name);
    });

    it('GET webhooks/:id answers payload, safe headers, runs with traces and records', async () => {
      const response = await api.admin.get(`/api/tenants/${tenantId}/webhooks/${ids.headers}`);
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
          status: 'completed',
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
      const response = await api.admin.get(`/api/tenants/${tenantId}/webhooks/${ids.received}`);
      expect(response.body).toMatchObject({ status: 'received', reason: expect.stringContaining('EntityName'), recordIds: [], records: [] });
      expect(response.body.runs).toEqual([
        expect.objectContaining({ processId: DEFAULT_PROCESS, status: 'failed', reason: expect.stringContaining('EntityName') }),
      ]);
    });

    it('GET webhooks/:id answers 404 for a webhook that does not exist', async () => {
      expectError(await api.admin.get(`/api/tenants/${tenantId}/webhooks/${randomUUID()}`), 404);
    });
  });
});
