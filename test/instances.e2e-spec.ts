import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstancesService, type InstanceDetail } from '../src/engine/instances.service.js';
import { RecordsService } from '../src/catalogue/records.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { WebhookLogService } from '../src/webhooks/webhook-log.service.js';
import { AdminApi, apiRequest } from './support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { cliJson, runCli } from './support/cli.mjs';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startExternalSystem } from './support/external-system.js';
import { startTestService, type TestService } from './support/test-service.js';

const DEFAULT_PROCESS = 'create-object-records-from-webhook';

/** A sample's value in Prometheus text, by name and labels; undefined when there is none. */
function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !/[{ ]/.test(line.charAt(name.length))) continue;
    const found = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** A lead that waits for the shop's order by e-mail: the lead follow-up, with a short timeout. */
function followUp(timeout: string) {
  return {
    id: 'lead-follow-up',
    name: 'Lead follow-up',
    version: 1,
    activeByDefault: true,
    trigger: { type: 'webhook', apiKeys: ['forms'] },
    steps: [
      { id: 'email', type: 'set-variable', input: { name: 'email', value: '$lowercase(Email)' } },
      { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name', Email: '$vars.email' } } },
      {
        id: 'order',
        type: 'wait-for-webhook',
        input: { key: '$vars.email', webhookKey: '$lowercase(customer.email)', apiKeys: ['shop'], timeout },
      },
      {
        id: 'ordered',
        type: 'condition',
        input: { if: '$not($steps.order.timedOut)' },
        then: [
          { id: 'won', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Order ' & $steps.order.payload.id", Email: '$vars.email' } } },
        ],
        else: [{ id: 'lost', type: 'create-record', input: { object: 'Lead', values: { Contact: "'No order from ' & $vars.email", Email: '$vars.email' } } }],
      },
    ],
  };
}

describe.each(databaseKinds())('process instances (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;

  beforeAll(async () => {
    crm = await startExternalSystem({});
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ...SERVICE_ENV, TIMER_SWEEP_MS: '300', HTTP_ALLOW_PRIVATE_NETWORKS: 'true' });
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  /** A tenant running only the given custom process, with a "forms" and a "shop" key. */
  async function tenantRunning(definition: Record<string, unknown>) {
    const { tenantId } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenantId, DEFAULT_PROCESS, false);
    await processes.create(tenantId, definition);
    const forms = await hookflow.get(ApiKeysService).create(tenantId, 'forms');
    const shop = await hookflow.get(ApiKeysService).create(tenantId, 'shop');
    return { tenantId, forms: forms.apiKey, shop: shop.apiKey };
  }

  async function instancesOf(tenantId: string, webhookId: string): Promise<InstanceDetail[]> {
    const instances = hookflow.get(InstancesService);
    const views = await instances.list(tenantId, { webhookId }, 10);
    return Promise.all(views.map((view) => instances.get(tenantId, view.id)));
  }

  /** Polls until the instance has the status (or fails the test, showing what it is). */
  async function until(tenantId: string, id: string, status: string, timeoutMs = 10_000): Promise<InstanceDetail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instance = await hookflow.get(InstancesService).get(tenantId, id);
      if (instance.status === status) return instance;
      if (Date.now() > deadline) throw new Error(`Instance ${id} is ${instance.status}, not ${status}: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const leads = async (tenantId: string) => (await hookflow.get(RecordsService).list(tenantId, 'Lead', 100)).map((lead) => lead.Contact).sort();

  it('a wait-for-webhook parks the instance until a later webhook gives the same key, which resumes it once', async () => {
    const { tenantId, forms, shop } = await tenantRunning(followUp('P2D'));
    const started = await hookflow.deliver(tenantId, forms, { Name: 'Ada', Email: 'Ada@Example.com' });
    expect(started.status).toBe('processed');
    const [waiting] = await instancesOf(tenantId, started.id);
    expect(waiting).toMatchObject({
      processId: 'lead-follow-up',
      processVersion: 1,
      status: 'waiting',
      finishedAt: null,
      waits: [{ step: 'order', stepId: 'order', kind: 'webhook', key: 'ada@example.com', timeoutAt: expect.any(String) }],
      vars: { email: 'ada@example.com' },
    });
    expect(waiting.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['email', 'ok'],
      ['lead', 'ok'],
      ['order', 'waiting'],
    ]);
    expect(await hookflow.get(InstancesService).list(tenantId, { waitingFor: 'webhook' }, 10)).toHaveLength(1);

    // Another e-mail, or the right e-mail through another key, resumes nothing.
    const other = await hookflow.deliver(tenantId, shop, { id: 'A-1', customer: { email: 'grace@example.com' } });
    const wrongKey = await hookflow.deliver(tenantId, forms, { Name: 'Ada again', Email: 'x@example.com', customer: { email: 'ada@example.com' } });
    expect((await hookflow.get(WebhookLogService).get(tenantId, other.id)).resumedIds).toEqual([]);
    expect((await hookflow.get(WebhookLogService).get(tenantId, wrongKey.id)).resumedIds).toEqual([]);
    expect((await hookflow.get(InstancesService).get(tenantId, waiting.id)).status).toBe('waiting');

    const order = await hookflow.deliver(tenantId, shop, { id: 'A-2', customer: { email: 'ADA@example.com' } });
    // It started nothing (the process takes "forms" webhooks only), but it did its part.
    expect(await hookflow.get(WebhookLogService).get(tenantId, order.id)).toMatchObject({
      status: 'processed',
      reason: null,
      resumedIds: [waiting.id],
      runIds: [],
    });
    const done = await until(tenantId, waiting.id, 'completed');
    expect(done.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['email', 'ok'],
      ['lead', 'ok'],
      ['order', 'waiting'],
      ['order', 'ok'],
      ['ordered', 'ok'],
      ['won', 'ok'],
    ]);
    expect(done.trace[3].output).toEqual({ timedOut: false, webhookId: order.id, payload: { id: 'A-2', customer: { email: 'ADA@example.com' } } });
    expect(done).toMatchObject({ waits: null, wakeAt: null, resumedBy: order.id, finishedAt: expect.any(String) });
    expect(done.recordIds).toHaveLength(2);
    // Each sender's receipt says which instance its webhook started or resumed, and how it stands.
    const receipt = async (key: string, id: string) => (await apiRequest(hookflow.url, 'GET', `/webhooks/${key}/receipts/${id}`)).body.instances;
    expect(await receipt(forms, started.id)).toEqual([{ id: waiting.id, processId: 'lead-follow-up', status: 'completed', how: 'started' }]);
    expect(await receipt(shop, order.id)).toEqual([{ id: waiting.id, processId: 'lead-follow-up', status: 'completed', how: 'resumed' }]);

    // A second order for the same e-mail finds nobody waiting any more.
    const again = await hookflow.deliver(tenantId, shop, { id: 'A-3', customer: { email: 'ada@example.com' } });
    expect((await hookflow.get(WebhookLogService).get(tenantId, again.id)).resumedIds).toEqual([]);
    expect(await leads(tenantId)).toEqual(['Ada', 'Ada again', 'Order A-2']);
  });

  it('of two instances waiting for one key, the one waiting longest gets the webhook', async () => {
    const { tenantId, forms, shop } = await tenantRunning(followUp('P2D'));
    const first = await hookflow.deliver(tenantId, forms, { Name: 'First', Email: 'same@example.com' });
    const second = await hookflow.deliver(tenantId, forms, { Name: 'Second', Email: 'same@example.com' });
    const [firstInstance] = await instancesOf(tenantId, first.id);
    const [secondInstance] = await instancesOf(tenantId, second.id);
    await hookflow.deliver(tenantId, shop, { id: 'B-1', customer: { email: 'same@example.com' } });
    await until(tenantId, firstInstance.id, 'completed');
    expect((await hookflow.get(InstancesService).get(tenantId, secondInstance.id)).status).toBe('waiting');
    await hookflow.deliver(tenantId, shop, { id: 'B-2', customer: { email: 'same@example.com' } });
    await until(tenantId, secondInstance.id, 'completed');
    expect(await leads(tenantId)).toEqual(['First', 'Order B-1', 'Order B-2', 'Second']);
  });

  it('a wait-for-webhook that times out goes on with { timedOut: true }', async () => {
    const { tenantId, forms } = await tenantRunning(followUp('PT1S'));
    const started = await hookflow.deliver(tenantId, forms, { Name: 'Grace', Email: 'grace@example.com' });
    const [waiting] = await instancesOf(tenantId, started.id);
    expect(waiting.wakeAt).toBe(waiting.waits?.[0].kind === 'webhook' ? waiting.waits[0].timeoutAt : 'a webhook wait');
    const done = await until(tenantId, waiting.id, 'completed');
    expect(done.trace.find((entry) => entry.step === 'order' && entry.status === 'ok')?.output).toEqual({ timedOut: true });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(waiting.wakeAt!));
    expect(await leads(tenantId)).toEqual(['Grace', 'No order from grace@example.com']);
  });

  it('a wait parks the instance for its duration; a definition saved meanwhile does not change it', async () => {
    const definition = (contact: string) => ({
      id: 'cool-down',
      name: 'Cool down',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'webhook' },
      steps: [
        { id: 'pause', type: 'wait', input: { duration: 'PT1S' } },
        { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: contact } } },
      ],
    });
    const { tenantId, forms } = await tenantRunning(definition("'Version 1'"));
    const started = await hookflow.deliver(tenantId, forms, {});
    const [waiting] = await instancesOf(tenantId, started.id);
    expect(waiting).toMatchObject({ status: 'waiting', waits: [{ kind: 'timer', step: 'pause' }] });
    expect(metric((await admin.get('/metrics')).text, 'hookflow_instances', { tenant: tenantId, process: 'cool-down', status: 'waiting' })).toBe(1);
    expect((await admin.get(`/api/tenants/${tenantId}/stats`)).body.instances).toEqual({ waiting: 1, failed: 0 });
    await hookflow.get(ProcessesService).update(tenantId, 'cool-down', definition("'Version 2'"));
    const done = await until(tenantId, waiting.id, 'completed');
    const metrics = (await admin.get('/metrics')).text;
    expect(metric(metrics, 'hookflow_instances', { tenant: tenantId, process: 'cool-down', status: 'waiting' })).toBeUndefined();
    expect(metric(metrics, 'hookflow_instance_resumptions_total', { by: 'timer' })).toBeGreaterThanOrEqual(1);
    expect(metric(metrics, 'hookflow_timer_lag_seconds_count', {})).toBeGreaterThanOrEqual(1);
    expect(Date.parse(done.finishedAt!) - Date.parse(done.startedAt)).toBeGreaterThanOrEqual(900);
    expect(done.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['pause', 'waiting'],
      ['pause', 'ok'],
      ['lead', 'ok'],
    ]);
    expect(await leads(tenantId)).toEqual(['Version 1']);
    // The webhook's log entry says what its instance ended with: the record it wrote after the wait.
    const entry = (await admin.get(`/api/tenants/${tenantId}/webhooks/${started.id}`)).body;
    expect(entry).toMatchObject({ status: 'processed', reason: null, recordIds: done.recordIds });
    expect(done.recordIds).toHaveLength(1);
  });

  it("the process's diagram counts, per element, the instances waiting there, failed there and gone through it", async () => {
    const { tenantId, forms, shop } = await tenantRunning(followUp('P2D'));
    const [ada] = await Promise.all(
      ['Ada', 'Grace', 'Katherine'].map((name) => hookflow.deliver(tenantId, forms, { Name: name, Email: `${name}@example.com` })),
    );
    const [adaInstance] = await instancesOf(tenantId, ada.id);
    await hookflow.deliver(tenantId, shop, { id: 'A-1', customer: { email: 'ada@example.com' } });
    await until(tenantId, adaInstance.id, 'completed');
    // One fails at the lead: a Name that is no text is no Contact.
    await hookflow.deliver(tenantId, forms, { Name: { first: 'Nobody' }, Email: 'nobody@example.com' });

    const counts = await admin.get(`/api/tenants/${tenantId}/processes/lead-follow-up/element-counts`);
    expect(counts.status).toBe(200);
    expect(counts.body).toMatchObject({ instances: 4, complete: true });
    expect(counts.body.elements).toEqual({
      'Start-process': { waiting: 0, failed: 0, completed: 4 },
      email: { waiting: 0, failed: 0, completed: 4 },
      lead: { waiting: 0, failed: 1, completed: 3 },
      order: { waiting: 2, failed: 0, completed: 1 },
      ordered: { waiting: 0, failed: 0, completed: 1 },
      won: { waiting: 0, failed: 0, completed: 1 },
      'End-process': { waiting: 0, failed: 0, completed: 1 },
    });
    // Those ids are the elements of the process's BPMN diagram.
    const xml = (await admin.get(`/api/tenants/${tenantId}/processes/lead-follow-up/bpmn`)).text;
    for (const id of Object.keys(counts.body.elements)) expect(xml).toContain(`id="${id}"`);

    const before = await admin.get(`/api/tenants/${tenantId}/processes/lead-follow-up/element-counts`, { to: '2020-01-01T00:00:00Z' });
    expect(before.body).toMatchObject({ instances: 0, elements: {} });
    const backwards = await admin.get(`/api/tenants/${tenantId}/processes/lead-follow-up/element-counts`, {
      from: '2030-01-01T00:00:00Z',
      to: '2020-01-01T00:00:00Z',
    });
    expect(backwards).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
    expect((await admin.get(`/api/tenants/${tenantId}/processes/no-such/element-counts`)).status).toBe(404);
  });

  it('a cancelled instance is resumed by nothing; cancelling it again is a conflict', async () => {
    const { tenantId, forms, shop } = await tenantRunning(followUp('P2D'));
    const started = await hookflow.deliver(tenantId, forms, { Name: 'Cancelled', Email: 'c@example.com' });
    const [waiting] = await instancesOf(tenantId, started.id);
    const path = `/api/tenants/${tenantId}/instances/${waiting.id}/cancel`;
    const cancelled = await admin.post(path);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: waiting.id, status: 'cancelled', waits: null, finishedAt: expect.any(String) });
    const order = await hookflow.deliver(tenantId, shop, { id: 'C-1', customer: { email: 'c@example.com' } });
    expect((await hookflow.get(WebhookLogService).get(tenantId, order.id)).resumedIds).toEqual([]);
    const again = await admin.post(path);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'CONFLICT',
      message: `Instance ${waiting.id} is cancelled; only waiting, running or failed instances can be cancelled`,
    });
    expect(await leads(tenantId)).toEqual(['Cancelled']);
  });

  it('retry runs a failed instance again from the step that failed, not from the start', async () => {
    const { tenantId, forms } = await tenantRunning({
      id: 'needs-owner',
      name: 'Needs an owner',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'webhook' },
      steps: [
        { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name' } } },
        { id: 'owner', type: 'find-record', input: { object: 'Contact', column: 'Email', value: 'owner', required: true } },
        { id: 'note', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Owned by ' & $steps.owner.Name" } } },
      ],
    });
    const started = await hookflow.deliver(tenantId, forms, { Name: 'Lin', owner: 'boss@example.com' });
    const [failed] = await instancesOf(tenantId, started.id);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'UNMAPPABLE' });
    // Its diagram: the version it ran, drawn, with the failed step marked and the steps after it not reached.
    const diagram = `/api/tenants/${tenantId}/instances/${failed.id}/diagram`;
    const drawn = await admin.get(diagram);
    expect(drawn.status).toBe(200);
    expect(drawn.body).toMatchObject({
      processId: 'needs-owner',
      processVersion: 1,
      elements: { 'Start-process': 'completed', lead: 'completed', owner: 'failed' },
    });
    expect(Object.keys(drawn.body.elements)).toHaveLength(3);
    expect(drawn.body.xml).toContain('<bpmn:serviceTask id="owner"');
    expect((await admin.get(`/api/tenants/${tenantId}/instances/no-such/diagram`)).body).toMatchObject({ code: 'NOT_FOUND' });
    const retry = `/api/tenants/${tenantId}/instances/${failed.id}/retry`;
    expect((await admin.post(retry)).status).toBe(202);
    // Still no owner: it fails at the same step again, without a second Lead.
    const failedAgain = await until(tenantId, failed.id, 'failed');
    expect(failedAgain.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['lead', 'ok'],
      ['owner', 'failed'],
      ['owner', 'failed'],
    ]);
    await hookflow.get(RecordsService).create(tenantId, 'Contact', { Name: 'The Boss', Email: 'boss@example.com' });
    const retried = await admin.post(retry);
    expect(retried.status).toBe(202);
    const done = await until(tenantId, failed.id, 'completed');
    expect(done.trace.map((entry) => [entry.step, entry.status]).slice(-3)).toEqual([
      ['owner', 'failed'],
      ['owner', 'ok'],
      ['note', 'ok'],
    ]);
    expect(done).toMatchObject({ errorCode: null, reason: null });
    expect((await admin.get(diagram)).body.elements).toEqual({
      'Start-process': 'completed',
      lead: 'completed',
      owner: 'completed',
      note: 'completed',
      'End-process': 'completed',
    });
    // The webhook follows its instance: processed now, with both records.
    expect(await hookflow.get(WebhookLogService).get(tenantId, started.id)).toMatchObject({ status: 'processed', reason: null, recordIds: done.recordIds });
    expect(await leads(tenantId)).toEqual(['Lin', 'Owned by The Boss']);
    const notFailed = await admin.post(retry);
    expect(notFailed.body).toMatchObject({ code: 'CONFLICT', message: `Instance ${failed.id} is completed; only a failed instance can be retried` });
  });

  it('the command line lists, shows, cancels and retries instances', async () => {
    const { tenantId, forms } = await tenantRunning(followUp('P2D'));
    const started = await hookflow.deliver(tenantId, forms, { Name: 'Cli', Email: 'cli@example.com' });
    const [waiting] = await instancesOf(tenantId, started.id);
    const env = { DATABASE_URL: database.url, REDIS_URL: hookflow.config.redisUrl, REDIS_PREFIX: hookflow.config.redisPrefix };
    const listed = await cliJson<Array<Record<string, unknown>>>(['instances', 'list', '--tenant', tenantId, '--status', 'waiting', '--json'], env);
    expect(listed).toEqual([expect.objectContaining({ id: waiting.id, processId: 'lead-follow-up', status: 'waiting' })]);
    expect(await cliJson(['instances', 'list', '--tenant', tenantId, '--status', 'failed', '--json'], env)).toEqual([]);
    const shown = await runCli(['instances', 'show', waiting.id, '--tenant', tenantId], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('status: waiting');
    expect(shown.stdout).toMatch(/timeline:\n {2}\S+ {2}email {2}set-variable {2}ok/);
    expect(shown.stdout).toMatch(/ {2}order {2}wait-for-webhook {2}waiting .*"key":"cli@example.com"/);
    const cancelled = await cliJson<{ status: string }>(['instances', 'cancel', waiting.id, '--tenant', tenantId, '--json'], env);
    expect(cancelled.status).toBe('cancelled');
    const refused = await runCli(['instances', 'retry', waiting.id, '--tenant', tenantId], env);
    expect(refused).toMatchObject({ code: 1, stderr: `hookflow: Instance ${waiting.id} is cancelled; only a failed instance can be retried\n` });
    const unknown = await runCli(['instances', 'list', '--tenant', tenantId, '--status', 'asleep'], env);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('--status: "asleep" is not one of running, waiting') });
  });

  /** Sends the webhook to the CRM at `path`, retrying as told, then writes a Lead with the CRM's id. */
  function forwarding(id: string, path: string, retry: Record<string, unknown>) {
    return {
      id,
      name: 'Forward with retries',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'webhook' },
      steps: [
        { id: 'send', type: 'http-request', input: { method: 'POST', url: `${crm.url}${path}`, bodyFrom: '$', timeoutMs: 2000 }, retry },
        { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: "'CRM ' & $string($steps.send.body.id)" } } },
      ],
    };
  }

  it('a step with retry waits between attempts (a parked instance, not a job) and goes on once it succeeds', async () => {
    crm.answers[`/busy-${kind}`] = [
      [503, { error: 'busy' }],
      [503, { error: 'still busy' }],
      [201, { id: 42 }],
    ];
    const { tenantId, forms } = await tenantRunning(forwarding('retrying', `/busy-${kind}`, { attempts: 3, delay: 'PT0.3S' }));
    const started = await hookflow.deliver(tenantId, forms, { Email: 'r@example.com' });
    const [first] = await instancesOf(tenantId, started.id);
    expect(first).toMatchObject({ status: 'waiting', waits: [{ kind: 'retry', step: 'send', attempt: 2, error: expect.stringContaining('503') }] });
    const done = await until(tenantId, first.id, 'completed');
    expect(done.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['send', 'failed'],
      ['send', 'failed'],
      ['send', 'ok'],
      ['lead', 'ok'],
    ]);
    expect(done.trace[0].error).toMatch(/\(attempt 1 of 3; the next at \S+\)$/);
    // The second wait is twice the first (less jitter): 0.3 s, then 0.6 s.
    const [one, two, three] = done.trace.map((entry) => Date.parse(entry.at!));
    expect(two - one).toBeGreaterThanOrEqual(0.8 * 300);
    expect(three - two).toBeGreaterThanOrEqual(0.8 * 600);
    expect(crm.received.filter((request) => request.url === `/busy-${kind}`)).toHaveLength(3);
    expect(await leads(tenantId)).toEqual(['CRM 42']);
  });

  it('a step whose retries are used up fails the instance (and its webhook), which can be retried by hand', async () => {
    crm.answers[`/down-${kind}`] = [[503, { error: 'maintenance' }]];
    const { tenantId, forms } = await tenantRunning(forwarding('giving-up', `/down-${kind}`, { attempts: 2, delay: 'PT0.2S' }));
    const started = await hookflow.deliver(tenantId, forms, { Email: 'g@example.com' });
    const [first] = await instancesOf(tenantId, started.id);
    const failed = await until(tenantId, first.id, 'failed');
    expect(failed).toMatchObject({ errorCode: 'TRANSIENT', reason: expect.stringMatching(/503.*\(attempt 2 of 2, the last\)$/) });
    expect((await hookflow.get(WebhookLogService).get(tenantId, started.id)).status).toBe('failed');
    crm.answers[`/down-${kind}`] = [[201, { id: 7 }]];
    expect((await admin.post(`/api/tenants/${tenantId}/instances/${first.id}/retry`)).status).toBe(202);
    await until(tenantId, first.id, 'completed');
    expect(await leads(tenantId)).toEqual(['CRM 7']);
    expect((await hookflow.get(WebhookLogService).get(tenantId, started.id)).status).toBe('processed');
  });
});
