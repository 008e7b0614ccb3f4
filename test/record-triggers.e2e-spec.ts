import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService, type InstanceView } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { AdminApi } from './support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/** Every new Lead with an e-mail gets a Contact with the same name and e-mail. */
const CONTACT_FOR_LEAD = {
  id: 'contact-for-lead',
  name: 'A Contact for every Lead with an e-mail',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'record', object: 'Lead', on: ['created'], condition: '$exists(Email)' },
  steps: [{ id: 'contact', type: 'create-record', input: { object: 'Contact', values: { Name: 'Contact', Email: 'Email', Notes: "'From Lead ' & Id" } } }],
};

/** Counts the updates of a Lead: started by its own writes, it would run for ever without the depth limit. */
const COUNT_UPDATES = {
  id: 'count-updates',
  name: 'Count the updates of a Lead',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'record', object: 'Lead', on: ['updated'] },
  steps: [{ id: 'count', type: 'upsert-record', input: { object: 'Lead', key: 'Email', values: { Email: 'Email', Notes: "Notes & '+'" } } }],
};

describe.each(databaseKinds())('record triggers (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ...SERVICE_ENV, RECORD_TRIGGER_MAX_DEPTH: '3' });
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function tenantWith(...definitions: Array<Record<string, unknown>>) {
    const tenant = await hookflow.newTenant();
    for (const definition of definitions) await hookflow.get(ProcessesService).create(tenant.tenantId, definition);
    return tenant;
  }

  /** Polls until the process has `count` instances that have ended. */
  async function ended(tenantId: string, processId: string, count: number): Promise<InstanceView[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const list = await hookflow.get(InstancesService).list(tenantId, { processId }, 50);
      const done = list.filter((instance) => instance.status !== 'running' && instance.status !== 'waiting');
      if (done.length >= count) return list;
      if (Date.now() > deadline) throw new Error(`${processId}: ${done.length} of ${count} instances ended: ${JSON.stringify(list)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const records = (tenantId: string, object: string) => hookflow.get(RecordsService).list(tenantId, object, 100);

  it('a Lead written by the default process starts the process triggered by Leads, with the Lead as $', async () => {
    const { tenantId, apiKey } = await tenantWith(CONTACT_FOR_LEAD);
    const webhook = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'Ada Lovelace', Email: 'ada@example.com' });
    expect(webhook.status).toBe('processed');
    const [lead] = await records(tenantId, 'Lead');
    const [instance] = await ended(tenantId, 'contact-for-lead', 1);
    expect(instance).toMatchObject({
      status: 'completed',
      webhookId: null,
      trigger: { type: 'record', object: 'Lead', recordId: lead.Id, action: 'created', writerId: webhook.runIds[0], depth: 1 },
    });
    expect(await records(tenantId, 'Contact')).toEqual([
      expect.objectContaining({ Name: 'Ada Lovelace', Email: 'ada@example.com', Notes: `From Lead ${lead.Id}` }),
    ]);

    // Its condition on the record: a Lead without an e-mail starts nothing.
    await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'No Mail' });
    expect(await records(tenantId, 'Lead')).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await hookflow.get(InstancesService).list(tenantId, { processId: 'contact-for-lead' }, 10)).toHaveLength(1);
    expect(await records(tenantId, 'Contact')).toHaveLength(1);
  });

  it('update-record enriches the very record that started the process; an Id of no record fails the step', async () => {
    const enrich = {
      id: 'enrich-lead',
      name: 'Enrich a new Lead',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'record', object: 'Lead', on: ['created'] },
      steps: [{ id: 'domain', type: 'update-record', input: { object: 'Lead', id: 'Id', values: { Website: "$substringAfter(Email, '@')" } } }],
    };
    const missing = {
      id: 'update-missing',
      name: 'Update a Lead that does not exist',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'webhook', condition: '$exists(missing)' },
      steps: [{ id: 'nobody', type: 'update-record', input: { object: 'Lead', id: "'00000000-0000-4000-8000-000000000000'", values: { Notes: "'x'" } } }],
    };
    const { tenantId, apiKey } = await tenantWith(enrich, missing);
    await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'Cy', Email: 'cy@example.org' });
    const [instance] = await ended(tenantId, 'enrich-lead', 1);
    expect(instance.status).toBe('completed');
    expect(await records(tenantId, 'Lead')).toEqual([expect.objectContaining({ Contact: 'Cy', Email: 'cy@example.org', Website: 'example.org' })]);

    const failed = await hookflow.deliver(tenantId, apiKey, { missing: true });
    const [run] = await ended(tenantId, 'update-missing', 1);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'UNMAPPABLE', reason: 'id: no Lead record has the Id 00000000-0000-4000-8000-000000000000' });
    expect(failed.status).toBe('received');
  });

  it('a process started by its own writes stops at RECORD_TRIGGER_MAX_DEPTH, failed with the reason', async () => {
    const upsert = {
      id: 'upsert-lead',
      name: 'Upsert a Lead by e-mail',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'webhook', condition: '$exists(email)' },
      steps: [
        { id: 'lead', type: 'upsert-record', input: { object: 'Lead', key: 'Email', values: { Email: 'email', Notes: "'n'" }, onCreate: { Contact: "'Bo'" } } },
      ],
    };
    const { tenantId, apiKey } = await tenantWith(upsert, COUNT_UPDATES);
    // The first webhook creates the Lead (no "updated" trigger), the second updates it.
    await hookflow.deliver(tenantId, apiKey, { email: 'bo@example.com' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await hookflow.get(InstancesService).list(tenantId, { processId: 'count-updates' }, 10)).toEqual([]);
    await hookflow.deliver(tenantId, apiKey, { email: 'bo@example.com' });
    const chain = await ended(tenantId, 'count-updates', 4);
    const byDepth = [...chain].sort((a, b) => depth(a) - depth(b));
    expect(byDepth.map((instance) => [depth(instance), instance.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
      [4, 'failed'],
    ]);
    expect(byDepth[3].reason).toMatch(
      /^Not started: Lead \S+ was updated by an instance 3 deep in a chain of processes started by records or calls; at most 3 are allowed \(RECORD_TRIGGER_MAX_DEPTH\)$/,
    );
    expect(byDepth[3].errorCode).toBe('LIMIT_EXCEEDED');
    // Each link of the chain wrote once: the webhook's "n", then three updates.
    expect((await records(tenantId, 'Lead')).map((lead) => lead.Notes)).toEqual(['n+++']);
  });

  it('a record trigger needs its object and which writes; the reason names what is missing', async () => {
    const { tenantId } = await tenantWith();
    const response = await admin.post(`/api/tenants/${tenantId}/processes/validate`, {
      definition: { ...CONTACT_FOR_LEAD, id: 'broken', trigger: { type: 'record', on: ['deleted'] } },
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toContain('object');
    expect(JSON.stringify(response.body)).toMatch(/on\/0/);
  });
});

function depth(instance: InstanceView): number {
  return instance.trigger?.type === 'record' ? instance.trigger.depth : 0;
}
