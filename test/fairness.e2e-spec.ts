import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { sendMany } from './support/load.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * One tenant's burst must not starve another tenant's single webhook: it is processed long
 * before the burst is, though it arrived after all of it.
 */
describe('fairness between tenants', () => {
  let database: TestDatabase;
  let api: TestService;
  let worker: TestService | undefined;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    api = await startTestService(database, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '0' });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await database?.drop();
  });

  it("a tenant's single webhook overtakes another tenant's burst that waits in the queue", async () => {
    const busy = await api.newTenant('Busy');
    const quiet = await api.newTenant('Quiet');
    const burst = await sendMany(api.url, busy.apiKey, 1500, 32);
    expect(burst.refused).toEqual([]);
    expect(burst).toHaveLength(1500);
    const single = await apiRequest(api.url, 'POST', `/webhooks/${quiet.apiKey}`, { body: { EntityName: 'FormSubmit', Name: 'the only one' } });
    expect(single.status).toBe(202);
    const { id } = single.body as { id: string };

    // The worker starts with the whole burst queued ahead of the single webhook; it shares the
    // queue's prefix, so it takes the API's jobs.
    worker = await startTestService(database, { ROLE: 'worker', REDIS_PREFIX: api.config.redisPrefix, WORKER_CONCURRENCY: '4' });
    const done = await worker.waitForWebhook(quiet.tenantId, id, 60_000);
    expect(done.status).toBe('processed');
    const busyDone = (await worker.webhooks(busy.tenantId)).filter((webhook) => webhook.status === 'processed').length;
    // Served in arrival order it would come after all 1,500; with fair shares, after about the
    // first hundred (those that share its priority) and what the worker holds at the time.
    expect(busyDone).toBeLessThan(300);
    await worker.close();
    worker = undefined;
  });
});
