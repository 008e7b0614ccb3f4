import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InstancesService, type InstanceDetail } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstanceControl } from '../src/pipeline/instance-control.service.js';
import { WAITING_COUNT_TTL_MS } from '../src/pipeline/instance-limits.service.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const DEFAULT_PROCESS = 'create-object-records-from-webhook';

/** Creates a Lead, then waits two days for an order with the same e-mail. */
const WAITS_FOR_ORDER = {
  id: 'waits-for-order',
  name: 'Waits for an order',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name', Email: 'Email' } } },
    { id: 'order', type: 'wait-for-webhook', input: { key: 'Email', webhookKey: 'customer.email', timeout: 'P2D' } },
  ],
};

describe.each(databaseKinds())('WAITING_INSTANCES_PER_TENANT (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { WAITING_INSTANCES_PER_TENANT: '2' });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function tenantWaiting() {
    const tenant = await hookflow.newTenant();
    await hookflow.get(ProcessesService).setActive(tenant.tenantId, DEFAULT_PROCESS, false);
    await hookflow.get(ProcessesService).create(tenant.tenantId, WAITS_FOR_ORDER);
    return tenant;
  }

  async function instanceOf(tenantId: string, webhookId: string): Promise<InstanceDetail> {
    const [view] = await hookflow.get(InstancesService).list(tenantId, { webhookId }, 10);
    return hookflow.get(InstancesService).get(tenantId, view.id);
  }

  it('an instance that would wait past the limit fails with the reason; other tenants wait as before; a retry waits once there is room', async () => {
    const { tenantId, apiKey } = await tenantWaiting();
    const first = await hookflow.deliver(tenantId, apiKey, { Name: 'A', Email: 'a@example.com' });
    const second = await hookflow.deliver(tenantId, apiKey, { Name: 'B', Email: 'b@example.com' });
    const third = await hookflow.deliver(tenantId, apiKey, { Name: 'C', Email: 'c@example.com' });
    expect((await instanceOf(tenantId, first.id)).status).toBe('waiting');
    expect((await instanceOf(tenantId, second.id)).status).toBe('waiting');
    const refused = await instanceOf(tenantId, third.id);
    expect(refused).toMatchObject({
      status: 'failed',
      errorCode: 'LIMIT_EXCEEDED',
      reason: 'The tenant has 2 waiting instances, the most WAITING_INSTANCES_PER_TENANT (2) allows: this one stopped at step "order" instead of waiting',
      waits: null,
    });
    // The webhook is kept with the reason, for a replay; the Lead written before stays and says so.
    expect(third).toMatchObject({ status: 'received', reason: expect.stringContaining('WAITING_INSTANCES_PER_TENANT') });
    expect((await hookflow.records(tenantId, 'Lead')).map((lead) => lead.Contact).sort()).toEqual(['A', 'B', 'C']);

    const other = await tenantWaiting();
    const elsewhere = await hookflow.deliver(other.tenantId, other.apiKey, { Name: 'D', Email: 'd@example.com' });
    expect((await instanceOf(other.tenantId, elsewhere.id)).status).toBe('waiting');

    // Room again (one cancelled), once the count is read again: the refused instance, retried, waits.
    await hookflow.get(InstanceControl).cancel(tenantId, (await instanceOf(tenantId, first.id)).id);
    await new Promise((resolve) => setTimeout(resolve, WAITING_COUNT_TTL_MS + 200));
    await hookflow.get(InstanceControl).retry(tenantId, refused.id);
    const deadline = Date.now() + 10_000;
    let retried = await hookflow.get(InstancesService).get(tenantId, refused.id);
    while (retried.status !== 'waiting' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      retried = await hookflow.get(InstancesService).get(tenantId, refused.id);
    }
    expect(retried).toMatchObject({ status: 'waiting', waits: [expect.objectContaining({ step: 'order', kind: 'webhook', key: 'c@example.com' })] });
    // The Lead was not written again.
    expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(3);
  }, 30_000);
});
