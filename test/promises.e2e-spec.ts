import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { RetentionService } from '../src/pipeline/retention.service.js';
import { Webhook, type WebhookStatus } from '../src/webhooks/webhook.entity.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const DAY_MS = 86_400_000;
const lead = { EntityName: 'Lead', Contact: 'Shop customer', Email: 'shop@example.com' };

describe.each(databaseKinds())('promises of the README (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, {
      RETENTION_DAYS_PROCESSED: '5',
      RETENTION_DAYS_RECEIVED: '20',
      RETENTION_DAYS_FAILED: '10',
    });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function send(apiKey: string, headers: Record<string, string>) {
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: lead, headers });
    return { status: response.status, body: response.body as Record<string, unknown> };
  }

  it('a repeat with the same X-Shopify-Webhook-Id is acknowledged with the first id and creates nothing new', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const first = await send(apiKey, { 'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    const repeat = await send(apiKey, { 'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(first).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(first.body).not.toHaveProperty('duplicate');
    expect(repeat).toEqual({ status: 202, body: { id: first.body.id, status: 'accepted', duplicate: true } });

    const other = await send(apiKey, { 'X-Shopify-Webhook-Id': 'another-delivery' });
    expect(other.body.id).not.toBe(first.body.id);
    await hookflow.waitForWebhook(tenantId, String(first.body.id));
    await hookflow.waitForWebhook(tenantId, String(other.body.id));
    expect(await hookflow.webhooks(tenantId)).toHaveLength(2);
    expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(2);
  });

  it('retention deletes each status after its own RETENTION_DAYS_…, and only that status', async () => {
    const { tenantId, apiKeyId } = await hookflow.newTenant();
    const now = Date.now();
    const ages = [3, 7, 15, 25];
    const statuses: WebhookStatus[] = ['processed', 'received', 'failed'];
    const rows = statuses.flatMap((status) =>
      ages.map((days) => ({
        id: randomUUID(),
        tenantId,
        apiKeyId,
        apiKeyName: 'Test source',
        receivedAt: new Date(now - days * DAY_MS),
        contentType: 'application/json',
        headers: {},
        payload: { ...lead, Contact: `${status} ${days} days ago` },
        status,
        reason: null,
        recordIds: [],
        runIds: [],
        processedAt: new Date(now - days * DAY_MS),
      })),
    );
    await hookflow
      .get(DataSource)
      .getRepository(Webhook)
      .insert(rows as QueryDeepPartialEntity<Webhook>[]);

    await hookflow.get(RetentionService).purge();
    const kept = (await hookflow.webhooks(tenantId)).map((webhook) => {
      const row = rows.find((candidate) => candidate.id === webhook.id)!;
      return `${row.status} ${Math.round((now - row.receivedAt.getTime()) / DAY_MS)}`;
    });
    // processed: 5 days, received: 20, failed: 10.
    expect(kept.sort()).toEqual(['failed 3', 'failed 7', 'processed 3', 'received 15', 'received 3', 'received 7']);
  });
});
