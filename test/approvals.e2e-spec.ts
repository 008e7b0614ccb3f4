import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UsersService } from '../src/auth/users.service.js';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService, type InstanceDetail } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { AdminApi, apiRequest, type ApiResponse } from './support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { ConsoleClient } from './support/console-client.js';
import { cliJson, runCli } from './support/cli.mjs';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { discountApproval } from './fixtures/approval-processes.js';

const DEFAULT_PROCESS = 'create-object-records-from-webhook';
const PASSWORD = 'correct horse battery';

/** Two approvals side by side (legal and finance), joined. */
const TWO_APPROVALS = {
  id: 'two-approvals',
  name: 'Two approvals',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    {
      id: 'both',
      type: 'parallel',
      branches: [
        [{ id: 'legal', type: 'wait-for-approval', input: { title: 'Legal' } }],
        [{ id: 'finance', type: 'wait-for-approval', input: { title: 'Finance' } }],
      ],
    },
    { id: 'done', type: 'create-record', input: { object: 'Lead', values: { Contact: "$steps.legal.decision & ' and ' & $steps.finance.decision" } } },
  ],
};

describe.each(databaseKinds())('approvals: wait-for-approval and the Tasks inbox (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let platform: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ...SERVICE_ENV, TIMER_SWEEP_MS: '300' });
    platform = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  /** A tenant running only the given process, with an analyst and a viewer signed in to the console. */
  async function tenantRunning(definition: Record<string, unknown>) {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenantId, DEFAULT_PROCESS, false);
    await processes.create(tenantId, definition);
    const users = hookflow.get(UsersService);
    const suffix = tenantId.slice(0, 8);
    await users.create(`analyst-${suffix}@example.com`, PASSWORD, { tenantId, role: 'analyst' });
    await users.create(`viewer-${suffix}@example.com`, PASSWORD, { tenantId, role: 'viewer' });
    const analyst = await ConsoleClient.signIn(hookflow.url, `analyst-${suffix}@example.com`, PASSWORD);
    const viewer = await ConsoleClient.signIn(hookflow.url, `viewer-${suffix}@example.com`, PASSWORD);
    return { tenantId, apiKey, analyst, viewer, analystEmail: `analyst-${suffix}@example.com`, tasks: `/api/tenants/${tenantId}/tasks` };
  }

  async function instanceOf(tenantId: string, webhookId: string): Promise<InstanceDetail> {
    const instances = hookflow.get(InstancesService);
    const [view] = await instances.list(tenantId, { webhookId }, 10);
    return instances.get(tenantId, view.id);
  }

  async function until(tenantId: string, id: string, done: (instance: InstanceDetail) => boolean, timeoutMs = 10_000): Promise<InstanceDetail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instance = await hookflow.get(InstancesService).get(tenantId, id);
      if (done(instance)) return instance;
      if (Date.now() > deadline) throw new Error(`Instance ${id} did not get there: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const leads = async (tenantId: string) => (await hookflow.get(RecordsService).list(tenantId, 'Lead', 100)).map((lead) => lead.Contact).sort();

  function expectError(response: ApiResponse, status: number, code: string, message: string | RegExp) {
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ code, message: expect.stringMatching(message) });
  }

  it('parks the instance with an open task; an analyst approves it in the inbox and the instance goes on with the decision', async () => {
    const { tenantId, apiKey, analyst, viewer, analystEmail, tasks } = await tenantRunning(discountApproval());
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Ada', Email: 'ada@example.com', Discount: 15 });
    expect(webhook.status).toBe('processed');
    const waiting = await instanceOf(tenantId, webhook.id);
    expect(waiting).toMatchObject({ status: 'waiting', waits: [{ step: 'approve', kind: 'approval', title: 'Approve the discount' }] });
    expect(waiting.trace.at(-1)).toMatchObject({ step: 'approve', status: 'waiting', output: { waitsForApproval: { title: 'Approve the discount' } } });

    const inbox = await analyst.get(`${tasks}?status=open`);
    expect(inbox.status).toBe(200);
    expect(inbox.body).toEqual([
      expect.objectContaining({
        instanceId: waiting.id,
        processId: 'discount-approval',
        step: 'approve',
        title: 'Approve the discount',
        details: { customer: 'Ada', discount: 15 },
        status: 'open',
        decidedBy: null,
      }),
    ]);
    const [task] = inbox.body as Array<{ id: string; dueAt: string }>;
    // The task is due when the step's timeout (P3D) passes.
    expect(Date.parse(task.dueAt) - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);
    expect((await analyst.get(`/api/tenants/${tenantId}/stats`)).body.tasks).toEqual({ open: 1 });

    // A viewer reads the inbox but does not decide.
    expect((await viewer.get(`${tasks}/${task.id}`)).status).toBe(200);
    expectError(await viewer.post(`${tasks}/${task.id}/approve`, {}), 403, 'FORBIDDEN', /tasks:write/);
    expectError(await analyst.post(`${tasks}/${task.id}/approve`, { comment: 'x'.repeat(2001) }), 400, 'INVALID_ARGUMENT', /comment/);

    const approved = await analyst.post(`${tasks}/${task.id}/approve`, { comment: 'Loyal customer' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: analystEmail, comment: 'Loyal customer', decidedAt: expect.any(String) });
    // Decided once: a second decision is refused with who made the first.
    expectError(await analyst.post(`${tasks}/${task.id}/reject`, {}), 409, 'CONFLICT', new RegExp(`approved by ${analystEmail}`));

    const done = await until(tenantId, waiting.id, (instance) => instance.status === 'completed');
    expect(done.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['lead', 'ok'],
      ['approve', 'waiting'],
      ['approve', 'ok'],
      ['decided', 'ok'],
      ['yes', 'ok'],
    ]);
    expect(done.trace[2].output).toEqual({ timedOut: false, decision: 'approved', by: analystEmail, at: expect.any(String), comment: 'Loyal customer' });
    expect(await leads(tenantId)).toEqual(['Ada', `Approved by ${analystEmail}: Loyal customer`]);
    expect((await analyst.get(`${tasks}?status=open`)).body).toEqual([]);
    expect((await analyst.get(`${tasks}?status=approved`)).body).toEqual([expect.objectContaining({ id: task.id })]);

    const metrics = (await apiRequest(hookflow.url, 'GET', '/metrics', { token: platform.token })).text;
    expect(metrics).toMatch(/hookflow_tasks_closed_total\{status="approved"[^}]*\} 1/);
    expect(metrics).toMatch(/hookflow_instance_resumptions_total\{by="approval"[^}]*\} 1/);
  });

  it('an OAuth client with tasks:write rejects; the client is named as who decided', async () => {
    const { tenantId, apiKey, tasks } = await tenantRunning(discountApproval());
    const client = await platform.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['tasks:read', 'tasks:write'] });
    expect(client.status).toBe(201);
    const approver = await AdminApi.login(hookflow.url, client.body.clientId as string, client.body.clientSecret as string);
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Bob', Discount: 40 });
    const waiting = await instanceOf(tenantId, webhook.id);
    const [task] = (await approver.get(tasks, { status: 'open' })).body as Array<{ id: string }>;
    const rejected = await approver.post(`${tasks}/${task.id}/reject`);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: client.body.clientId, comment: null });
    await until(tenantId, waiting.id, (instance) => instance.status === 'completed');
    expect(await leads(tenantId)).toEqual(['Bob', `Rejected by ${client.body.clientId}`]);

    // Another tenant's task is not found from here, and this tenant's client cannot look at another tenant.
    const other = await tenantRunning(discountApproval());
    const otherWebhook = await hookflow.deliver(other.tenantId, other.apiKey, { Name: 'Eve' });
    await instanceOf(other.tenantId, otherWebhook.id);
    const [otherTask] = (await other.analyst.get(`${other.tasks}?status=open`)).body as Array<{ id: string }>;
    expectError(await approver.post(`${tasks}/${otherTask.id}/approve`), 404, 'NOT_FOUND', /does not exist in this tenant/);
    expect((await approver.post(`${other.tasks}/${otherTask.id}/approve`)).status).toBe(403);
    expect((await other.analyst.get(`${other.tasks}/${otherTask.id}`)).body).toMatchObject({ status: 'open' });
  });

  it('a task nobody decides times out: the instance takes the default branch and the task shows timed-out', async () => {
    const { tenantId, apiKey, analyst, tasks } = await tenantRunning(discountApproval({ timeout: 'PT1S' }));
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Cy' });
    const waiting = await instanceOf(tenantId, webhook.id);
    const done = await until(tenantId, waiting.id, (instance) => instance.status === 'completed');
    expect(done.trace.find((entry) => entry.step === 'approve' && entry.status === 'ok')?.output).toEqual({
      timedOut: true,
      decision: null,
      by: null,
      at: expect.any(String),
      comment: null,
    });
    expect(await leads(tenantId)).toEqual(['Cy', 'No decision: Cy']);
    const [task] = (await analyst.get(tasks)).body as Array<{ id: string; status: string }>;
    expect(task.status).toBe('timed-out');
    expectError(await analyst.post(`${tasks}/${task.id}/approve`), 409, 'CONFLICT', /timed-out already/);
  });

  it('cancelling the instance cancels its task', async () => {
    const { tenantId, apiKey, analyst, tasks } = await tenantRunning(discountApproval());
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Dee' });
    const waiting = await instanceOf(tenantId, webhook.id);
    expect((await analyst.post(`/api/tenants/${tenantId}/instances/${waiting.id}/cancel`)).status).toBe(200);
    const [task] = (await analyst.get(tasks)).body as Array<{ id: string; status: string }>;
    expect(task.status).toBe('cancelled');
    expectError(await analyst.post(`${tasks}/${task.id}/approve`), 409, 'CONFLICT', /cancelled already/);
    expect(await leads(tenantId)).toEqual(['Dee']);
  });

  it('two approvals in parallel branches: each has its task, and the instance goes on once both are decided', async () => {
    const { tenantId, apiKey, analyst, tasks } = await tenantRunning(TWO_APPROVALS);
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Flo' });
    const waiting = await instanceOf(tenantId, webhook.id);
    const open = (await analyst.get(`${tasks}?status=open`)).body as Array<{ id: string; title: string }>;
    expect(open.map((task) => task.title).sort()).toEqual(['Finance', 'Legal']);
    const legal = open.find((task) => task.title === 'Legal')!;
    const finance = open.find((task) => task.title === 'Finance')!;

    expect((await analyst.post(`${tasks}/${legal.id}/approve`)).status).toBe(200);
    // The instance runs on and parks again at the other approval, whose task stays open.
    const again = await until(
      tenantId,
      waiting.id,
      (instance) => instance.status === 'waiting' && instance.trace.some((entry) => entry.step === 'legal' && entry.status === 'ok'),
    );
    expect(again.waits).toEqual([expect.objectContaining({ step: 'finance', kind: 'approval' })]);
    expect((await analyst.get(`${tasks}?status=open`)).body).toEqual([expect.objectContaining({ id: finance.id })]);

    expect((await analyst.post(`${tasks}/${finance.id}/reject`, { comment: 'Over budget' })).status).toBe(200);
    await until(tenantId, waiting.id, (instance) => instance.status === 'completed');
    expect(await leads(tenantId)).toEqual(['approved and rejected']);
  });

  it('the command line lists the inbox and approves with who and why', async () => {
    const { tenantId, apiKey, tasks, analyst } = await tenantRunning(discountApproval());
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Gus', Discount: 5 });
    const waiting = await instanceOf(tenantId, webhook.id);
    const env = { DATABASE_URL: database.url, REDIS_URL: hookflow.config.redisUrl, REDIS_PREFIX: hookflow.config.redisPrefix };
    const open = await cliJson<Array<Record<string, unknown>>>(['tasks', 'list', '--tenant', tenantId, '--json'], env);
    expect(open).toEqual([
      expect.objectContaining({ instanceId: waiting.id, title: 'Approve the discount', details: { customer: 'Gus', discount: 5 }, status: 'open' }),
    ]);
    const id = open[0].id as string;
    const missingBy = await runCli(['tasks', 'approve', id, '--tenant', tenantId], env);
    expect(missingBy).toMatchObject({ code: 1, stderr: expect.stringContaining("'--by <name>' not specified") });
    const approved = await cliJson<Record<string, unknown>>(
      ['tasks', 'approve', id, '--tenant', tenantId, '--by', 'ops@example.com', '--comment', 'OK by phone', '--json'],
      env,
    );
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'ops@example.com', comment: 'OK by phone' });
    await until(tenantId, waiting.id, (instance) => instance.status === 'completed');
    expect(await leads(tenantId)).toEqual(['Approved by ops@example.com: OK by phone', 'Gus']);
    const again = await runCli(['tasks', 'reject', id, '--tenant', tenantId, '--by', 'ops@example.com'], env);
    expect(again).toMatchObject({ code: 1, stderr: `hookflow: Task ${id} is approved by ops@example.com already\n` });
    expect((await analyst.get(`${tasks}/${id}`)).body).toMatchObject({ status: 'approved' });
  });
});
