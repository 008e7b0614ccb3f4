import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { WebhookLogService } from '../src/webhooks/webhook-log.service.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startRedis, type PrivateRedis } from './support/redis-server.mjs';
import { startTestService, type TestService } from './support/test-service.js';

const WAITING = 20;

/** Waits until a time given by the webhook, then writes a Lead; or waits for the order of its e-mail. */
const PROCESS = {
  id: 'wait-then-lead',
  name: 'Wait, then a Lead',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['forms'] },
  steps: [
    {
      id: 'how',
      type: 'condition',
      input: { if: '$exists(due)' },
      then: [{ id: 'pause', type: 'wait', input: { until: 'due' } }],
      else: [{ id: 'order', type: 'wait-for-webhook', input: { key: 'email', webhookKey: 'customer.email', timeout: 'P1D' } }],
    },
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'name' } } },
  ],
};

/**
 * The database is the record of waiting instances; Redis only holds their timers. Redis here is
 * a private redis-server without persistence, so flushing or restarting it loses them all.
 */
describe('waiting instances when Redis loses its data', () => {
  let redis: PrivateRedis;
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    redis = await startRedis();
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { REDIS_URL: redis.url, TIMER_SWEEP_MS: '300' });
  });

  afterAll(async () => {
    await hookflow?.close();
    await redis?.stop();
    await database?.drop();
  });

  async function tenant() {
    const { tenantId } = await hookflow.newTenant();
    await hookflow.get(ProcessesService).setActive(tenantId, 'create-object-records-from-webhook', false);
    await hookflow.get(ProcessesService).create(tenantId, PROCESS);
    const forms = await hookflow.get(ApiKeysService).create(tenantId, 'forms');
    const shop = await hookflow.get(ApiKeysService).create(tenantId, 'shop');
    return { tenantId, forms: forms.apiKey, shop: shop.apiKey };
  }

  /** WAITING instances due in 2.5 s, and one waiting for an order; all parked before answering. */
  async function park(tenantId: string, forms: string): Promise<{ due: number }> {
    const due = Date.now() + 2500;
    const ids = [];
    for (let i = 0; i < WAITING; i++) {
      const sent = await apiRequest(hookflow.url, 'POST', `/webhooks/${forms}`, { body: { name: `Timer ${i}`, due: new Date(due).toISOString() } });
      ids.push(sent.body.id as string);
    }
    ids.push((await hookflow.deliver(tenantId, forms, { name: 'Order', email: 'ada@example.com' })).id);
    for (const id of ids) await hookflow.waitForWebhook(tenantId, id);
    expect(await hookflow.get(InstancesService).list(tenantId, { status: 'waiting' }, 100)).toHaveLength(WAITING + 1);
    return { due };
  }

  /** Every instance completed (polling), each Lead once. */
  async function expectAllResumedOnce(tenantId: string, shop: string, due: number): Promise<void> {
    const order = await hookflow.deliver(tenantId, shop, { customer: { email: 'ada@example.com' } });
    expect((await hookflow.get(WebhookLogService).get(tenantId, order.id)).resumedIds).toHaveLength(1);
    const deadline = Date.now() + 15_000;
    let completed = await hookflow.get(InstancesService).list(tenantId, { status: 'completed' }, 100);
    while (completed.length < WAITING + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      completed = await hookflow.get(InstancesService).list(tenantId, { status: 'completed' }, 100);
    }
    expect(completed).toHaveLength(WAITING + 1);
    for (const instance of completed.filter((one) => one.trace.some((entry) => entry.step === 'pause'))) {
      expect(Date.parse(instance.finishedAt!)).toBeGreaterThanOrEqual(due - 50);
    }
    const contacts = (await hookflow.get(RecordsService).list(tenantId, 'Lead', 100)).map((lead) => lead.Contact).sort();
    expect(contacts).toEqual(['Order', ...Array.from({ length: WAITING }, (_, i) => `Timer ${i}`)].sort());
  }

  it('FLUSHALL while they wait: every timer is re-armed from the database and each instance resumes once', async () => {
    const { tenantId, forms, shop } = await tenant();
    const { due } = await park(tenantId, forms);
    const client = new Redis(redis.url);
    try {
      expect(await client.keys('*wake-*')).not.toHaveLength(0);
      await client.flushall();
      expect(await client.dbsize()).toBe(0);
    } finally {
      client.disconnect();
    }
    await expectAllResumedOnce(tenantId, shop, due);
  });

  it('Redis restarted without its files while they wait: the same', async () => {
    const { tenantId, forms, shop } = await tenant();
    const { due } = await park(tenantId, forms);
    await redis.stop();
    redis = await startRedis({ port: redis.port });
    // Once the service has reconnected (it answers 503 until then).
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      if ((await apiRequest(hookflow.url, 'GET', '/health/ready')).status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expectAllResumedOnce(tenantId, shop, due);
  });
});
