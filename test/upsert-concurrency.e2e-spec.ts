import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ProcessesService } from '../src/engine/processes.service.js';
import { DEFAULT_PROCESS } from './fixtures/form-builder.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const UPSERT_PROCESS = 'upsert-contact-by-email';
const SENDERS = 50;

describe.each(databaseKinds())('upsert under concurrency (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let worker: TestService | undefined;
  const redisPrefix = `test-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    database = await createDatabase(kind);
    // The API alone first: the webhooks wait in Redis until the worker starts and takes them all at once.
    hookflow = await startTestService(database, { ROLE: 'api', REDIS_PREFIX: redisPrefix, RATE_LIMIT_PER_MINUTE: '100000' });
  });

  afterAll(async () => {
    await worker?.close();
    await hookflow?.close();
    await database?.drop();
  });

  it(`${SENDERS} webhooks with the same new e-mail at once make one Contact`, async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenantId, DEFAULT_PROCESS, false);
    await processes.setActive(tenantId, UPSERT_PROCESS, true);

    const accepted = await Promise.all(
      Array.from({ length: SENDERS }, (_, i) =>
        apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: { Email: ' Ada@Example.com ', JobTitle: `Engineer ${i}` } }),
      ),
    );
    expect(accepted.map((response) => response.status)).toEqual(Array(SENDERS).fill(202));
    const ids = accepted.map((response) => (response.body as { id: string }).id);
    // Every webhook in a job of its own at the same time, so the upserts really race.
    worker = await startTestService(database, { ROLE: 'worker', REDIS_PREFIX: redisPrefix, WORKER_CONCURRENCY: '64' });
    const logged = await Promise.all(ids.map((id) => hookflow.waitForWebhook(tenantId, id, 60_000)));

    const contacts = await hookflow.records(tenantId, 'Contact');
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ Email: 'ada@example.com', Name: 'Ada' });
    expect(logged.map((webhook) => webhook.status)).toEqual(Array(SENDERS).fill('processed'));
    expect(new Set(logged.flatMap((webhook) => webhook.recordIds))).toEqual(new Set([contacts[0].Id]));
  }, 120_000);
});
