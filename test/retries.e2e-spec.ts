import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcessesService } from '../src/engine/processes.service.js';
import { AdminApi, apiRequest, pollUntil, sendWebhook, settledWebhook } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { forwardingProcess, startExternalSystem } from './support/external-system.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN = { id: 'retries-admin', secret: 'retries-admin-secret-0123456789' };

describe.each(databaseKinds())('retries of a system that is down (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;
  let admin: AdminApi;

  beforeAll(async () => {
    crm = await startExternalSystem({ '/contacts': [[503, { error: 'maintenance' }]] });
    database = await createDatabase(kind);
    // Short delays so the test is fast, but a window that allows far more than the old 5 attempts.
    hookflow = await startTestService(database, {
      HTTP_ALLOW_PRIVATE_NETWORKS: 'true',
      JOB_BACKOFF_MS: '50',
      JOB_BACKOFF_MAX_MS: '200',
      JOB_RETRY_WINDOW_SECONDS: '120',
      ADMIN_CLIENT_ID: ADMIN.id,
      ADMIN_CLIENT_SECRET: ADMIN.secret,
    });
    admin = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
  });

  afterAll(async () => {
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  it('keeps retrying past the old five attempts, says when the next one is, and ends processed once the system is back', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenantId, 'create-object-records-from-webhook', false);
    await processes.create(tenantId, forwardingProcess('forward', `${crm.url}/contacts`));
    const calls = () => crm.received.filter((call) => call.url === '/contacts').length;

    const id = await sendWebhook(hookflow.url, apiKey, { Email: 'grace@example.com', first: 'Grace', last: 'Hopper' });
    // Down for longer than five attempts: the webhook is still waiting for its next one.
    const waiting = await pollUntil(
      async () => ({ calls: calls(), detail: (await admin.get(`/api/tenants/${tenantId}/webhooks/${id}`)).body }),
      ({ calls, detail }) => (detail.status !== undefined && detail.status !== 'queued') || (calls >= 7 && /next attempt at/.test(detail.reason ?? '')),
      30_000,
      'more than five attempts',
    );
    expect(waiting.detail).toMatchObject({
      status: 'queued',
      reason: expect.stringMatching(/^Attempt \d+ of \d+ failed: POST .*\/contacts answered 503; next attempt at \d{4}-\d\d-\d\dT/),
      nextAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(waiting.detail.reason).toContain(`next attempt at ${waiting.detail.nextAttemptAt}`);
    const listed = (await admin.get(`/api/tenants/${tenantId}/webhooks`)).body.items.find((item: { id: string }) => item.id === id);
    expect(listed).toMatchObject({ status: 'queued', nextAttemptAt: expect.any(String) });
    const receipt = (await apiRequest(hookflow.url, 'GET', `/webhooks/${apiKey}/receipts/${id}`)).body;
    expect(receipt).toMatchObject({ status: 'queued', nextAttemptAt: expect.any(String), reason: expect.stringContaining('next attempt at') });

    crm.answers['/contacts'] = [[201, { id: 42 }]];
    const done = await settledWebhook(admin, tenantId, id, () => true, 30_000);
    expect(done).toMatchObject({ status: 'processed', reason: null, nextAttemptAt: null, recordIds: [expect.any(String)] });
    expect(calls()).toBeGreaterThan(5);
    expect(await hookflow.records(tenantId, 'FormSubmit')).toEqual([expect.objectContaining({ Email: 'grace@example.com', Notes: 'CRM id 42' })]);
  }, 60_000);
});
