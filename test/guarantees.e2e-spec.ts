import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { RetentionService } from '../src/pipeline/retention.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { Webhook } from '../src/webhooks/webhook.entity.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const lead = { EntityName: 'Lead', Contact: 'Once only', Email: 'once@example.com' };

describe('delivery guarantees at the door', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let apiOnly: TestService;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { RATE_LIMIT_PER_MINUTE: '20' });
    // An API without workers: what it accepts stays queued.
    apiOnly = await startTestService(await createDatabase('sqlite'), { ROLE: 'api' });
  });

  afterAll(async () => {
    await apiOnly?.close();
    await hookflow?.close();
    await database?.drop();
  });

  async function send(service: TestService, apiKey: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await apiRequest(service.url, 'POST', `/webhooks/${apiKey}`, { body, headers });
    return { status: response.status, headers: response.headers, body: response.body as Record<string, unknown> };
  }

  it.each(['webhook-id', 'Idempotency-Key', 'X-GitHub-Delivery'])(
    'a repeat with the same %s is acknowledged with the first id and creates nothing new',
    async (header) => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const first = await send(hookflow, apiKey, lead, { [header]: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
      const repeat = await send(hookflow, apiKey, lead, { [header]: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
      expect(first).toMatchObject({ status: 202, body: { status: 'accepted' } });
      expect(first.body).not.toHaveProperty('duplicate');
      expect(repeat).toMatchObject({ status: 202, body: { id: first.body.id, status: 'accepted', duplicate: true } });

      const other = await send(hookflow, apiKey, lead, { [header]: 'msg_another' });
      expect(other.body.id).not.toBe(first.body.id);
      await hookflow.waitForWebhook(tenantId, String(first.body.id));
      await hookflow.waitForWebhook(tenantId, String(other.body.id));
      expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(2);
      expect(await hookflow.webhooks(tenantId)).toHaveLength(2);
    },
  );

  it('delivery ids are per API key: the same id from another source is a different webhook', async () => {
    const a = await hookflow.newTenant();
    const b = await hookflow.newTenant();
    const fromA = await send(hookflow, a.apiKey, lead, { 'webhook-id': 'shared-id' });
    const fromB = await send(hookflow, b.apiKey, lead, { 'webhook-id': 'shared-id' });
    expect(fromB.body).not.toHaveProperty('duplicate');
    expect(fromB.body.id).not.toBe(fromA.body.id);
  });

  it('a receipt tells the sender what became of a delivery, and only the sending key may read it', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const sent = await send(hookflow, apiKey, lead);
    const id = String(sent.body.id);
    await hookflow.waitForWebhook(tenantId, id);
    const receipt = await apiRequest(hookflow.url, 'GET', `/webhooks/${apiKey}/receipts/${id}`);
    expect(receipt.status).toBe(200);
    const body = receipt.body as { recordIds: string[] };
    expect(body).toEqual({
      id,
      status: 'processed',
      receivedAt: expect.any(String),
      recordIds: [expect.any(String)],
      reason: 'Processed: 1 record written.',
      nextAttemptAt: null,
      instances: [{ id: expect.any(String), processId: 'create-object-records-from-webhook', status: 'completed', how: 'started' }],
    });
    expect(body.recordIds).toEqual((await hookflow.records(tenantId, 'Lead')).map((record) => record.Id));

    const kept = await send(hookflow, apiKey, { EntityName: 'Invoice' });
    await hookflow.waitForWebhook(tenantId, String(kept.body.id));
    const keptReceipt = (await apiRequest(hookflow.url, 'GET', `/webhooks/${apiKey}/receipts/${kept.body.id}`)).body as Record<string, unknown>;
    expect(keptReceipt).toMatchObject({ status: 'received', recordIds: [] });
    expect(keptReceipt.reason).toMatch(/^Kept without creating a record: Object "Invoice" is not in/);

    const stranger = await hookflow.newTenant();
    expect((await apiRequest(hookflow.url, 'GET', `/webhooks/${stranger.apiKey}/receipts/${id}`)).status).toBe(404);
    const sameTenantOtherKey = await hookflow.get(ApiKeysService).create(tenantId, 'Other source');
    expect((await apiRequest(hookflow.url, 'GET', `/webhooks/${sameTenantOtherKey.apiKey}/receipts/${id}`)).status).toBe(404);
    expect((await apiRequest(hookflow.url, 'GET', `/webhooks/${apiKey}/receipts/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('a webhook no worker has taken yet has the receipt "queued"', async () => {
    const { apiKey } = await apiOnly.newTenant();
    const sent = await send(apiOnly, apiKey, lead);
    const receipt = (await apiRequest(apiOnly.url, 'GET', `/webhooks/${apiKey}/receipts/${sent.body.id}`)).body as Record<string, unknown>;
    expect(receipt).toMatchObject({ id: sent.body.id, status: 'queued', recordIds: [], reason: 'Received and waiting to be processed.' });
  });

  it('a key over its rate limit gets 429 with Retry-After; other keys go on', async () => {
    const noisy = await hookflow.newTenant();
    const quiet = await hookflow.newTenant();
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof send>> | undefined;
    // Up to 45 sends: even if a new minute begins in between, one minute sees more than 20.
    for (let i = 0; i < 45 && !limited; i++) {
      const result = await send(hookflow, noisy.apiKey, { EntityName: 'FormSubmit', Name: `n${i}` });
      statuses.push(result.status);
      if (result.status === 429) limited = result;
    }
    expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(20);
    expect(limited?.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: 'This API key may send 20 webhooks a minute' });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await send(hookflow, quiet.apiKey, lead)).status).toBe(202);
  });

  describe('hostile payloads are refused with what they exceed', () => {
    let apiKey: string;

    beforeAll(async () => {
      ({ apiKey } = await hookflow.newTenant());
    });

    it('nesting deeper than 32 levels → 400', async () => {
      let nested: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < 40; i++) nested = { inner: nested };
      const result = await send(hookflow, apiKey, { EntityName: 'Lead', nested });
      expect(result).toMatchObject({ status: 400, body: { message: 'The body is nested deeper than 32 levels' } });
    });

    it('more than 1000 fields → 413', async () => {
      const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`field${i}`, i]));
      const result = await send(hookflow, apiKey, many);
      expect(result).toMatchObject({ status: 413, body: { message: 'The body has more than 1000 fields' } });
    });

    it('a value longer than 64 KiB → 413', async () => {
      const result = await send(hookflow, apiKey, { EntityName: 'Lead', Notes: 'x'.repeat(70_000) });
      expect(result).toMatchObject({ status: 413, body: { message: 'A value is longer than 65536 characters' } });
    });

    it('__proto__ keys never reach object prototypes', async () => {
      const json = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
        body: '{"EntityName":"Lead","__proto__":{"polluted":true}}',
        headers: { 'content-type': 'application/json' },
      });
      expect(json.status).toBe(400);
      const form = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
        body: '__proto__[polluted]=true&constructor[prototype][polluted]=true&EntityName=Lead',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect([202, 400]).toContain(form.status);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('a delivery id longer than 200 characters → 400', async () => {
      const result = await send(hookflow, apiKey, lead, { 'Idempotency-Key': 'k'.repeat(201) });
      expect(result).toMatchObject({ status: 400, body: { message: 'The idempotency-key header is longer than 200 characters' } });
    });
  });

  it('retention deletes old webhooks and their run traces, keeps records, and is scheduled in Redis', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const old = await send(hookflow, apiKey, lead);
    const recent = await send(hookflow, apiKey, { ...lead, Contact: 'Recent' });
    await hookflow.waitForWebhook(tenantId, String(old.body.id));
    await hookflow.waitForWebhook(tenantId, String(recent.body.id));
    // 91 days ago, past the default retention of 90.
    await hookflow
      .get(DataSource)
      .getRepository(Webhook)
      .update({ id: String(old.body.id) }, { receivedAt: new Date(Date.now() - 91 * 86_400_000) });
    expect(await hookflow.get(RetentionService).purge()).toBeGreaterThanOrEqual(1);
    expect((await hookflow.webhooks(tenantId)).map((webhook) => webhook.id)).toEqual([recent.body.id]);
    expect(await hookflow.get(InstancesService).forWebhook(tenantId, String(old.body.id))).toEqual([]);
    expect(await hookflow.get(InstancesService).forWebhook(tenantId, String(recent.body.id))).toHaveLength(1);
    expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(2);

    const queue = new Queue(hookflow.config.queueName, { connection: hookflow.config.redis, prefix: hookflow.config.redisPrefix });
    try {
      expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key)).toContain('retention');
    } finally {
      await queue.close();
    }
  });
});
