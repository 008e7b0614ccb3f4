import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { Webhook } from '../src/webhooks/webhook.entity.js';
import { WebhookLogService } from '../src/webhooks/webhook-log.service.js';
import { AdminApi, pollUntil } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN = { id: 'replay-admin', secret: 'replay-admin-secret-0123456789' };
const COUNT = 2500;

describe.each(databaseKinds())('bulk replay in the background (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN.id, ADMIN_CLIENT_SECRET: ADMIN.secret, RATE_LIMIT_PER_MINUTE: '0' });
    admin = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  it(`replays ${COUNT} kept webhooks (more than the old limit of 1000) and reports its progress`, async () => {
    const { tenantId, apiKeyId } = await hookflow.newTenant();
    // Kept without a record, as if no process had been active when they arrived.
    const start = Date.now() - 3_600_000;
    const rows = Array.from({ length: COUNT }, (_, i) =>
      Object.assign(new Webhook(), {
        id: randomUUID(),
        tenantId,
        apiKeyId,
        apiKeyName: 'Test source',
        receivedAt: new Date(start + i * 10),
        contentType: 'application/json',
        headers: {},
        payload: { EntityName: 'Lead', Contact: `Replayed ${i}`, Email: `replayed-${i}@example.com` },
        status: 'received',
        reason: 'No active process for this webhook: it was kept without creating a record',
        recordIds: [],
        runIds: [],
        processedAt: new Date(start + i * 10),
      }),
    );
    const repository = hookflow.get(DataSource).getRepository(Webhook);
    for (let i = 0; i < rows.length; i += 200) await repository.insert(rows.slice(i, i + 200) as QueryDeepPartialEntity<Webhook>[]);
    const other = await hookflow.newTenant();
    await repository.insert({ ...rows[0], id: randomUUID(), tenantId: other.tenantId, apiKeyId: other.apiKeyId } as QueryDeepPartialEntity<Webhook>);

    const started = await admin.post(`/api/tenants/${tenantId}/webhooks/replay`, { status: 'received' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: expect.any(String), status: 'running', total: COUNT, failed: 0 });

    const progress = await pollUntil(
      () => admin.get(`/api/tenants/${tenantId}/replays/${started.body.id}`),
      (answer) => answer.status !== 200 || answer.body.status === 'completed',
      120_000,
      'the replay completed',
    );
    expect(progress.body).toMatchObject({ id: started.body.id, status: 'completed', total: COUNT, done: COUNT, failed: 0, finishedAt: expect.any(String) });

    const log = hookflow.get(WebhookLogService);
    await pollUntil(
      () => log.count(tenantId, { status: 'processed' }),
      (processed) => processed === COUNT,
      180_000,
      'every replayed webhook processed',
    );
    expect(await log.count(tenantId, { status: 'received' })).toBe(0);
    expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(COUNT);
    // Another tenant's kept webhook is not part of it.
    expect(await log.count(other.tenantId, { status: 'received' })).toBe(1);
    expect((await admin.get(`/api/tenants/${other.tenantId}/replays/${started.body.id}`)).status).toBe(404);
  }, 300_000);
});
