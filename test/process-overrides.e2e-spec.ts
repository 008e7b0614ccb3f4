import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '../src/common/app-error.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { WhatIfService } from '../src/engine/what-if.service.js';
import { DEFAULT_PROCESS, defaultProcess as base, formBuilderPayload, nestedOverride, upsertExample } from './fixtures/form-builder.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

describe.each(databaseKinds())('per-tenant overrides, versions and custom processes (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let processes: ProcessesService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database);
    processes = hookflow.get(ProcessesService);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  it('override, revert and rollback change what runs for one tenant only, and runs pin their version', async () => {
    const a = await hookflow.newTenant('A');
    const b = await hookflow.newTenant('B');

    // Before: the default process cannot map a nested payload.
    expect((await hookflow.deliver(a.tenantId, a.apiKey, formBuilderPayload)).status).toBe('received');

    const overridden = await processes.override(a.tenantId, DEFAULT_PROCESS, nestedOverride);
    expect(overridden).toMatchObject({ id: DEFAULT_PROCESS, source: 'override', version: 2, active: true });
    const mapped = await hookflow.deliver(a.tenantId, a.apiKey, formBuilderPayload);
    expect(mapped.status).toBe('processed');
    expect(await hookflow.records(a.tenantId, 'FormSubmit')).toEqual([
      expect.objectContaining({ Name: 'Katherine Johnson', Email: 'kj@example.com', Notes: 'Form lT4Z3j' }),
    ]);
    const [run] = await hookflow.get(InstancesService).forWebhook(a.tenantId, mapped.id);
    expect(run).toMatchObject({ processId: DEFAULT_PROCESS, processVersion: 2, status: 'completed' });

    // Tenant B still runs the base definition.
    expect((await hookflow.deliver(b.tenantId, b.apiKey, formBuilderPayload)).status).toBe('received');
    expect((await processes.list(b.tenantId)).find((p) => p.id === DEFAULT_PROCESS)).toMatchObject({ source: 'base', version: 1 });

    // Revert: the base runs again; the override stays in the history.
    expect(await processes.revert(a.tenantId, DEFAULT_PROCESS)).toMatchObject({ source: 'base', version: 1 });
    const reverted = await hookflow.deliver(a.tenantId, a.apiKey, formBuilderPayload);
    expect(reverted).toMatchObject({ status: 'received', reason: expect.stringMatching(/EntityName/) });
    expect((await processes.get(a.tenantId, DEFAULT_PROCESS)).versions.map((v) => v.version)).toEqual([2]);

    // A third version, then a rollback to the second, saved as the fourth.
    await processes.override(a.tenantId, DEFAULT_PROCESS, { ...nestedOverride, steps: [{ id: 'nothing', type: 'stop' }] });
    const rolledBack = await processes.rollback(a.tenantId, DEFAULT_PROCESS, 2);
    expect(rolledBack).toMatchObject({ source: 'override', version: 4 });
    const detail = await processes.get(a.tenantId, DEFAULT_PROCESS);
    expect(detail.versions.map((v) => [v.version, v.note])).toEqual([
      [4, 'rollback to version 2'],
      [3, null],
      [2, null],
    ]);
    expect(detail.definition.steps).toEqual(nestedOverride.steps);
    expect(detail.base?.version).toBe(1);
    const again = await hookflow.deliver(a.tenantId, a.apiKey, formBuilderPayload);
    expect(again.status).toBe('processed');
    expect((await hookflow.get(InstancesService).forWebhook(a.tenantId, again.id))[0].processVersion).toBe(4);
  });

  it('an invalid override is refused with the JSON path and the problem, and changes nothing', async () => {
    const { tenantId } = await hookflow.newTenant();
    const broken = { ...base, steps: [{ id: 'x', type: 'map', input: { fields: { Name: 'first &' } } }] };
    const error = await processes.override(tenantId, DEFAULT_PROCESS, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_DEFINITION');
    expect((error as AppError).message).toContain('/steps/0/input/fields/Name: expression does not parse');
    expect((await processes.list(tenantId)).find((p) => p.id === DEFAULT_PROCESS)).toMatchObject({ source: 'base', version: 1 });
  });

  it('a custom process with an upsert runs beside the base ones until it is deleted', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    await processes.setActive(tenantId, DEFAULT_PROCESS, false);
    const custom = { ...upsertExample, id: 'crm-contacts', name: 'CRM contacts', activeByDefault: true };
    expect(await processes.create(tenantId, custom)).toMatchObject({ id: 'crm-contacts', source: 'custom', version: 1, active: true });

    const first = await hookflow.deliver(tenantId, apiKey, { Email: 'Mary@Example.com', Name: 'Mary' });
    const second = await hookflow.deliver(tenantId, apiKey, { Email: 'mary@example.com', JobTitle: 'Engineer' });
    expect(second.recordIds).toEqual(first.recordIds);
    expect(await hookflow.records(tenantId, 'Contact')).toEqual([expect.objectContaining({ Name: 'Mary', Email: 'mary@example.com', JobTitle: 'Engineer' })]);

    await expect(processes.create(tenantId, custom)).rejects.toThrow('A process "crm-contacts" exists already');
    await expect(processes.create(tenantId, { ...custom, id: DEFAULT_PROCESS })).rejects.toThrow(/exists already/);
    expect(await processes.update(tenantId, 'crm-contacts', { ...custom, name: 'CRM contacts v2' })).toMatchObject({
      name: 'CRM contacts v2',
      version: 2,
    });

    await processes.remove(tenantId, 'crm-contacts');
    expect((await processes.list(tenantId)).map((p) => p.id)).not.toContain('crm-contacts');
    const after = await hookflow.deliver(tenantId, apiKey, { Email: 'other@example.com' });
    expect(after).toMatchObject({ status: 'received', reason: expect.stringMatching(/No active process/) });
    await expect(processes.remove(tenantId, DEFAULT_PROCESS)).rejects.toThrow(/base process/);
  });

  it('what-if shows which stored webhooks a draft would map, and writes nothing', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const unmapped = [
      await hookflow.deliver(tenantId, apiKey, formBuilderPayload),
      await hookflow.deliver(tenantId, apiKey, { form_response: { form_id: 'x', answers: [] } }),
    ];
    const mapped = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'Fine already' });
    expect(unmapped.map((w) => w.status)).toEqual(['received', 'received']);

    const report = await hookflow.get(WhatIfService).compare(tenantId, nestedOverride, { status: 'received' });
    expect(report).toMatchObject({ processId: DEFAULT_PROCESS, compared: 2, wouldNowWrite: 2 });
    expect(report.entries.map((entry) => entry.webhook.id)).toEqual([unmapped[1].id, unmapped[0].id]);
    expect(report.entries[1]).toMatchObject({
      webhook: { status: 'received', recordIds: [] },
      draft: {
        status: 'completed',
        records: [{ action: 'create', object: 'FormSubmit', values: { Name: 'Katherine Johnson', Email: 'kj@example.com', Notes: 'Form lT4Z3j' } }],
      },
    });

    const byId = await hookflow.get(WhatIfService).compare(tenantId, nestedOverride, { webhookIds: [mapped.id] });
    expect(byId.entries).toEqual([expect.objectContaining({ webhook: expect.objectContaining({ id: mapped.id, status: 'processed' }) })]);
    expect(await hookflow.records(tenantId, 'FormSubmit')).toEqual([]);
    expect((await processes.list(tenantId)).find((p) => p.id === DEFAULT_PROCESS)).toMatchObject({ source: 'base' });
  });

  it('what-if runs drafts with loops and switches over stored orders, and says where a draft would wait', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const small = await hookflow.deliver(tenantId, apiKey, { orderId: 'S-1', total: 20, line_items: [{ title: 'Mug' }] });
    const large = await hookflow.deliver(tenantId, apiKey, { orderId: 'L-1', total: 900, line_items: [{ title: 'Desk' }, { title: 'Lamp' }] });
    const draft = {
      id: 'order-lines',
      name: 'Order lines',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook', condition: '$exists(line_items)' },
      steps: [
        {
          id: 'size',
          type: 'switch',
          input: { value: "total > 500 ? 'large' : 'small'" },
          cases: { large: [{ id: 'approve', type: 'wait-for-approval', input: { title: 'Approve a large order' } }] },
          default: [],
        },
        {
          id: 'lines',
          type: 'for-each',
          input: { items: 'line_items' },
          steps: [{ id: 'line', type: 'create-record', input: { object: 'Lead', values: { Contact: "orderId & ' ' & $item.title" } } }],
        },
      ],
    };
    const report = await hookflow.get(WhatIfService).compare(tenantId, draft, { webhookIds: [small.id, large.id] });
    const byWebhook = new Map(report.entries.map((entry) => [entry.webhook.id, entry.draft]));
    expect(byWebhook.get(small.id)).toMatchObject({ status: 'completed', records: [{ action: 'create', object: 'Lead', values: { Contact: 'S-1 Mug' } }] });
    expect(byWebhook.get(large.id)).toMatchObject({
      status: 'waiting',
      records: [],
      waits: [{ step: 'approve', kind: 'approval', says: expect.stringContaining('would wait for a decision on the task "Approve a large order"') }],
    });
    expect(await hookflow.records(tenantId, 'Lead')).toEqual([]);
  });
});
