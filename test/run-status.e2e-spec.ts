import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcessesService } from '../src/engine/processes.service.js';
import { DEFAULT_PROCESS } from './fixtures/form-builder.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/** Writes a Lead, then stops on purpose: the records written before the failure stay. */
const leadThenFail = {
  id: 'lead-then-check',
  name: 'Lead, then a check that fails',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Contact', Email: 'Email' } } },
    { id: 'check', type: 'fail', input: { message: 'no campaign given' } },
  ],
};

describe.each(databaseKinds())('the status of a run that wrote a record, then failed (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  it('lists the records written and says where the run failed, in the log and in the receipt', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenantId, DEFAULT_PROCESS, false);
    await processes.create(tenantId, leadThenFail);

    const logged = await hookflow.deliver(tenantId, apiKey, { Contact: 'Grace Hopper', Email: 'grace@example.com' });
    const [lead] = await hookflow.records(tenantId, 'Lead');
    expect(lead).toMatchObject({ Contact: 'Grace Hopper', Email: 'grace@example.com' });
    expect(logged.recordIds).toEqual([lead.Id]);
    expect(logged.reason).toBe(`Created Lead ${lead.Id}, then failed at step "check": no campaign given`);

    const receipt = await apiRequest(hookflow.url, 'GET', `/webhooks/${apiKey}/receipts/${logged.id}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.recordIds).toEqual([lead.Id]);
    expect(receipt.body.reason).toContain(`Created Lead ${lead.Id}, then failed at step "check": no campaign given`);
    expect(receipt.body.reason).not.toMatch(/without creating a record/);
  });
});
