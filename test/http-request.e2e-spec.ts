import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { WebhookDispatcher } from '../src/pipeline/webhook-dispatcher.service.js';
import { TenantSecretsService } from '../src/secrets/tenant-secrets.service.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { forwardingProcess, startExternalSystem } from './support/external-system.js';
import { startTestService, type TestService } from './support/test-service.js';

describe('the http-request step', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let strict: TestService;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;

  beforeAll(async () => {
    crm = await startExternalSystem({
      '/flaky': [
        [503, { error: 'busy' }],
        [201, { id: 7 }],
      ],
      '/refuse': [[400, { error: 'email is invalid' }]],
      '/token': [[200, { access_token: 'tok-123', token_type: 'Bearer', expires_in: 3600 }]],
      '/secured': [[200, { id: 9 }]],
      '/down': [[503, { error: 'maintenance' }]],
    });
    database = await createDatabase('sqlite');
    // Five attempts, so a system down for all of them leaves the webhook failed within the test.
    hookflow = await startTestService(database, { HTTP_ALLOW_PRIVATE_NETWORKS: 'true', JOB_BACKOFF_MS: '10', JOB_ATTEMPTS: '5' });
    strict = await startTestService(await createDatabase('sqlite'));
  });

  afterAll(async () => {
    await strict?.close();
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  async function deliver(service: TestService, tenantId: string, apiKey: string, body: unknown) {
    const response = await apiRequest(service.url, 'POST', `/webhooks/${apiKey}`, { body });
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    return service.waitForWebhook(tenantId, id, 15_000);
  }

  async function tenantWith(service: TestService, definition: Record<string, unknown>) {
    const tenant = await service.newTenant();
    const processes = service.get(ProcessesService);
    await processes.setActive(tenant.tenantId, 'create-object-records-from-webhook', false);
    await processes.create(tenant.tenantId, definition);
    return tenant;
  }

  it('sends a JSON body from expressions, retries after a 503 and writes the record once', async () => {
    const { tenantId, apiKey } = await tenantWith(hookflow, forwardingProcess('flaky', `${crm.url}/flaky`));
    const webhook = await deliver(hookflow, tenantId, apiKey, { Email: 'ada@example.com', first: 'Ada', last: 'Lovelace' });
    expect(webhook.status).toBe('processed');

    const calls = crm.received.filter((call) => call.url === '/flaky');
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[1].body)).toEqual({ email: 'ada@example.com', fullName: 'Ada Lovelace', campaign: 'spring' });
    expect(calls[1].headers).toMatchObject({ 'content-type': 'application/json', 'x-source': 'hookflow' });
    expect(calls[0].headers['idempotency-key']).toBe(`${webhook.id}:flaky:send`);
    expect(calls[1].headers['idempotency-key']).toBe(calls[0].headers['idempotency-key']);
    expect(await hookflow.records(tenantId, 'FormSubmit')).toEqual([expect.objectContaining({ Notes: 'CRM id 7' })]);
  });

  it('a system down for every attempt leaves the webhook failed; replayed once it is back, the record is written once', async () => {
    const { tenantId, apiKey } = await tenantWith(hookflow, forwardingProcess('down', `${crm.url}/down`));
    const webhook = await deliver(hookflow, tenantId, apiKey, { Email: 'grace@example.com', first: 'Grace', last: 'Hopper' });
    expect(webhook).toMatchObject({ status: 'failed', recordIds: [] });
    // One call per attempt of the job (JOB_ATTEMPTS, 5 here), then it gives up.
    expect(crm.received.filter((call) => call.url === '/down')).toHaveLength(5);
    const receipt = (await apiRequest(hookflow.url, 'GET', `/webhooks/${apiKey}/receipts/${webhook.id}`)).body;
    expect(receipt).toMatchObject({ status: 'failed', reason: `Could not be processed (it can be replayed): POST ${crm.url}/down answered 503` });
    expect(await hookflow.records(tenantId, 'FormSubmit')).toEqual([]);

    crm.answers['/down'] = [[201, { id: 42 }]];
    await hookflow.get(WebhookDispatcher).replay(tenantId, webhook.id);
    const replayed = await hookflow.waitForWebhook(tenantId, webhook.id, 15_000);
    expect(replayed).toMatchObject({ status: 'processed', recordIds: [expect.any(String)] });
    expect(await hookflow.records(tenantId, 'FormSubmit')).toEqual([expect.objectContaining({ Email: 'grace@example.com', Notes: 'CRM id 42' })]);
    const runs = await hookflow.get(InstancesService).forWebhook(tenantId, webhook.id);
    expect(runs.map((run) => run.status).sort()).toEqual(['completed', 'failed']);
  });

  it('a 4xx answer fails the run without retrying, and the webhook keeps the reason', async () => {
    const { tenantId, apiKey } = await tenantWith(hookflow, forwardingProcess('refuse', `${crm.url}/refuse`));
    const webhook = await deliver(hookflow, tenantId, apiKey, { Email: 'bad' });
    expect(webhook).toMatchObject({ status: 'received', recordIds: [] });
    expect(webhook.reason).toContain('answered 400');
    expect(crm.received.filter((call) => call.url === '/refuse')).toHaveLength(1);
    const [run] = await hookflow.get(InstancesService).forWebhook(tenantId, webhook.id);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'HTTP_REJECTED' });
  });

  it('fetches an OAuth 2.0 client-credentials token once, and never shows secrets in the trace', async () => {
    const auth = { type: 'oauth2-client-credentials', tokenUrl: `${crm.url}/token`, clientId: 'hookflow', clientSecret: { secret: 'crm' } };
    const { tenantId, apiKey } = await tenantWith(hookflow, forwardingProcess('secured', `${crm.url}/secured`, { auth }));
    await hookflow.get(TenantSecretsService).set(tenantId, 'crm', 's3cret');
    const first = await deliver(hookflow, tenantId, apiKey, { Email: 'a@example.com' });
    await deliver(hookflow, tenantId, apiKey, { Email: 'b@example.com' });
    expect(first.status).toBe('processed');

    const tokenCalls = crm.received.filter((call) => call.url === '/token');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0].headers.authorization).toBe(`Basic ${Buffer.from('hookflow:s3cret').toString('base64')}`);
    expect(tokenCalls[0].body).toBe('grant_type=client_credentials');
    const calls = crm.received.filter((call) => call.url === '/secured');
    expect(calls.map((call) => call.headers.authorization)).toEqual(['Bearer tok-123', 'Bearer tok-123']);

    const runs = await hookflow.get(InstancesService).forWebhook(tenantId, first.id);
    const trace = JSON.stringify(runs);
    expect(trace).not.toContain('tok-123');
    expect(trace).not.toContain('s3cret');
  });

  it('refuses loopback and private addresses unless allowed, without sending anything', async () => {
    const before = crm.received.length;
    const { tenantId, apiKey } = await tenantWith(strict, forwardingProcess('internal', `${crm.url}/flaky`));
    const webhook = await deliver(strict, tenantId, apiKey, { Email: 'x@example.com' });
    expect(webhook).toMatchObject({ status: 'received' });
    expect(webhook.reason).toMatch(/Refused: 127\.0\.0\.1 is a loopback, link-local or private address/);

    const { tenantId: other, apiKey: otherKey } = await tenantWith(strict, forwardingProcess('metadata', 'http://169.254.169.254/latest/meta-data'));
    expect((await deliver(strict, other, otherKey, { Email: 'x@example.com' })).reason).toMatch(/Refused: 169\.254\.169\.254/);
    expect(crm.received.length).toBe(before);
  });
});
