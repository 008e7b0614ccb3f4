import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROCESS } from '../fixtures/form-builder.js';
import type { Json } from '../support/admin-client.js';
import { expectError, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('runs', () => {
    it('GET runs lists runs newest first, filtered by status and processId', async () => {
      const tenantId = await api.createTenant('Runs');
      const key = await api.createKey(tenantId, 'Landing page');
      expect((await api.admin.post(`/api/tenants/${tenantId}/processes/landing-page-lead/activate`)).status).toBe(200);
      await api.settle(tenantId, await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Succeeds' }));
      await api.settle(tenantId, await api.send(key.apiKey, { Contact: 'Fails without an entity' }));
      await api.settle(tenantId, await api.send(key.apiKey, { name: 'Landing', email: 'landing@example.com' }));

      const path = `/api/tenants/${tenantId}/runs`;
      const all = await api.admin.get(path);
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

      const failed = await api.admin.get(path, { status: 'failed' });
      expect(failed.body.length).toBeGreaterThan(0);
      expect(idsOf(failed.body)).toEqual(idsOf(runs.filter((run) => run.status === 'failed')));
      newestFirst(failed.body);

      const landing = await api.admin.get(path, { processId: 'landing-page-lead' });
      expect(landing.body.length).toBeGreaterThan(0);
      expect(idsOf(landing.body)).toEqual(idsOf(runs.filter((run) => run.processId === 'landing-page-lead')));
      expect(landing.body).toContainEqual(expect.objectContaining({ status: 'completed', processId: 'landing-page-lead' }));
      newestFirst(landing.body);

      const both = await api.admin.get(path, { status: 'completed', processId: DEFAULT_PROCESS });
      expect(both.body.length).toBeGreaterThan(0);
      expect(idsOf(both.body)).toEqual(idsOf(runs.filter((run) => run.status === 'completed' && run.processId === DEFAULT_PROCESS)));
      expect((await api.admin.get(path, { processId: 'upsert-contact-by-email' })).body).toEqual([]);
      const newest = await api.admin.get(path, { limit: '1' });
      expect(newest.body).toHaveLength(1);
      expect(newest.body[0].startedAt).toBe(runs[0].startedAt);

      expectError(await api.admin.get(path, { status: 'bogus' }), 400, 'status');
      expectError(await api.admin.get(path, { limit: '501' }), 400, 'limit');
    });
  });
});
