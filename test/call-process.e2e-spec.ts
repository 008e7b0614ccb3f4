import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService, type InstanceDetail } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstanceControl } from '../src/pipeline/instance-control.service.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/** Called by others only (no webhook starts it: its trigger takes a key no webhook has). */
const ENRICH = {
  id: 'enrich-lead',
  name: 'Enrich a lead',
  version: 1,
  activeByDefault: false,
  trigger: { type: 'webhook', apiKeys: ['nobody'] },
  steps: [
    { id: 'check', type: 'condition', input: { if: '$exists(email)' }, else: [{ id: 'noEmail', type: 'fail', input: { message: 'no e-mail to enrich' } }] },
    { id: 'domain', type: 'set-variable', input: { name: 'domain', value: "$substringAfter(email, '@')" } },
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Enriched ' & email", Website: '$vars.domain' } } },
  ],
};

function caller(id: string, input: Record<string, unknown>, after: Record<string, unknown>[] = []) {
  return {
    id,
    name: id,
    version: 1,
    activeByDefault: true,
    trigger: { type: 'webhook' },
    steps: [
      {
        id: 'call',
        type: 'call-process',
        input,
        onError: [{ id: 'why', type: 'set-variable', input: { name: 'why', value: "$error.code & ': ' & $error.message" } }],
      },
      ...after,
    ],
  };
}

describe.each(databaseKinds())('call-process (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { CALL_PROCESS_MAX_DEPTH: '3' });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function tenantRunning(...definitions: Record<string, unknown>[]) {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenantId, 'create-object-records-from-webhook', false);
    for (const definition of definitions) await processes.create(tenantId, definition);
    return { tenantId, apiKey };
  }

  async function settled(tenantId: string, processId: string, count = 1): Promise<InstanceDetail[]> {
    const instances = hookflow.get(InstancesService);
    for (const deadline = Date.now() + 10_000; ;) {
      const list = await instances.list(tenantId, { processId }, 50);
      if (list.length >= count && list.every((one) => !['running', 'waiting'].includes(one.status)))
        return Promise.all(list.map((one) => instances.get(tenantId, one.id)));
      if (Date.now() > deadline) throw new Error(`${processId}: ${JSON.stringify(list.map((one) => one.status))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const leads = async (tenantId: string) => (await hookflow.get(RecordsService).list(tenantId, 'Lead', 100)).map((lead) => lead.Contact).sort();

  it('with wait, the caller waits for the called instance and takes its outputs', async () => {
    const after = [
      {
        id: 'note',
        type: 'create-record',
        input: { object: 'Lead', values: { Contact: "'Site ' & $steps.call.vars.domain & ' (' & $steps.call.status & ')'" } },
      },
    ];
    const { tenantId, apiKey } = await tenantRunning(ENRICH, caller('new-lead', { process: 'enrich-lead', payload: '{ "email": Email }', wait: true }, after));
    await hookflow.deliver(tenantId, apiKey, { Email: 'ada@example.org' });
    const [parent] = await settled(tenantId, 'new-lead');
    const [child] = await settled(tenantId, 'enrich-lead');
    expect(child).toMatchObject({
      status: 'completed',
      webhookId: null,
      trigger: { type: 'process', parentId: parent.id, step: 'call', depth: 1 },
      payload: { email: 'ada@example.org' },
    });
    expect(parent.status).toBe('completed');
    expect(parent.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['call', 'waiting'],
      ['call', 'ok'],
      ['note', 'ok'],
    ]);
    expect(parent.trace[1].output).toMatchObject({ instanceId: child.id, status: 'completed', vars: { domain: 'example.org' } });
    expect(await leads(tenantId)).toEqual(['Enriched ada@example.org', 'Site example.org (completed)']);
  });

  it("a called instance that fails fails the caller's step, which its onError may take", async () => {
    const after = [{ id: 'note', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Not enriched: ' & $vars.why" } } }];
    const { tenantId, apiKey } = await tenantRunning(ENRICH, caller('new-lead', { process: 'enrich-lead', payload: '{ "name": Name }', wait: true }, after));
    await hookflow.deliver(tenantId, apiKey, { Name: 'Nobody' });
    const [child] = await settled(tenantId, 'enrich-lead');
    expect(child).toMatchObject({ status: 'failed', errorCode: 'PROCESS_FAILED', reason: 'no e-mail to enrich' });
    const [parent] = await settled(tenantId, 'new-lead');
    expect(parent.status).toBe('completed');
    expect(await leads(tenantId)).toEqual([`Not enriched: PROCESS_FAILED: Process "enrich-lead" (instance ${child.id}) failed: no e-mail to enrich`]);
  });

  it("cancelling a caller that waits cancels the instance it waits for (and that one's), not one it called without waiting", async () => {
    const slow = {
      id: 'slow',
      name: 'slow',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook', apiKeys: ['nobody'] },
      steps: [{ id: 'nap', type: 'wait', input: { duration: 'P1D' } }],
    };
    const middle = { ...caller('middle', { process: 'slow', wait: true }), activeByDefault: false, trigger: { type: 'webhook', apiKeys: ['nobody'] } };
    const top = {
      ...caller('top', { process: 'middle', wait: true }),
      steps: [
        { id: 'loose', type: 'call-process', input: { process: 'slow' } },
        { id: 'call', type: 'call-process', input: { process: 'middle', wait: true } },
      ],
    };
    const { tenantId, apiKey } = await tenantRunning(slow, middle, top);
    const webhook = await hookflow.deliver(tenantId, apiKey, {});
    const instances = hookflow.get(InstancesService);
    const waitingAll = async () => {
      for (const deadline = Date.now() + 10_000; ;) {
        const list = await instances.list(tenantId, { status: 'waiting' }, 50);
        if (list.length === 4) return list;
        if (Date.now() > deadline) throw new Error(`waiting: ${JSON.stringify(list.map((one) => one.processId))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const waiting = await waitingAll();
    const [topInstance] = await instances.list(tenantId, { webhookId: webhook.id }, 5);
    await hookflow.get(InstanceControl).cancel(tenantId, topInstance.id);
    const after = await instances.list(tenantId, {}, 50);
    const statusOf = (processId: string, parent?: string) =>
      after
        .filter((one) => one.processId === processId && (!parent || (one.trigger?.type === 'process' && one.trigger.parentId === parent)))
        .map((one) => one.status);
    const middleInstance = after.find((one) => one.processId === 'middle')!;
    expect(waiting).toHaveLength(4);
    expect(statusOf('top')).toEqual(['cancelled']);
    expect(statusOf('middle')).toEqual(['cancelled']);
    expect(statusOf('slow', middleInstance.id)).toEqual(['cancelled']);
    // Called without waiting: it runs on its own.
    expect(statusOf('slow', topInstance.id)).toEqual(['waiting']);
  });

  it('without wait, the caller goes on at once; the called instance runs on its own', async () => {
    const after = [{ id: 'note', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Started ' & $steps.call.processId" } } }];
    const { tenantId, apiKey } = await tenantRunning(ENRICH, caller('new-lead', { process: 'enrich-lead', payload: '{ "email": Email }' }, after));
    await hookflow.deliver(tenantId, apiKey, { Email: 'grace@example.org' });
    const [parent] = await settled(tenantId, 'new-lead');
    const [child] = await settled(tenantId, 'enrich-lead');
    expect(parent.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['call', 'ok'],
      ['note', 'ok'],
    ]);
    expect(parent.trace[0].output).toEqual({ instanceId: child.id, processId: 'enrich-lead' });
    expect(await leads(tenantId)).toEqual(['Enriched grace@example.org', 'Started enrich-lead']);
  });

  it('a process that calls itself stops at CALL_PROCESS_MAX_DEPTH, saying so; an unknown process is refused', async () => {
    const { tenantId, apiKey } = await tenantRunning(
      caller('recursive', { process: 'recursive', wait: true }),
      caller('calls-nothing', { process: 'no-such-process' }),
    );
    await hookflow.deliver(tenantId, apiKey, {});
    const chain = await settled(tenantId, 'recursive', 4);
    expect(chain).toHaveLength(4);
    const deepest = chain.find((one) => one.trigger?.type === 'process' && one.trigger.depth === 3)!;
    expect(deepest.vars).toEqual({ why: 'LIMIT_EXCEEDED: Calling "recursive" would nest processes 4 deep; at most 3 are allowed (CALL_PROCESS_MAX_DEPTH)' });
    expect(chain.every((one) => one.status === 'completed')).toBe(true);
    const [nothing] = await settled(tenantId, 'calls-nothing');
    expect(nothing.trace[0]).toMatchObject({ step: 'call', status: 'failed', error: 'The tenant has no process "no-such-process" to call' });
  });
});
