import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CANADA_ID } from '../src/catalogue/default-catalogue.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { WebhookDispatcher } from '../src/pipeline/webhook-dispatcher.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const SHIPPED = fileURLToPath(new URL('../processes', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/processes', import.meta.url));
const DEFAULT_PROCESS = 'create-object-records-from-webhook';

/** The shipped definitions plus the test's own, as an operator's processes directory. */
function processesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-processes-'));
  for (const source of [SHIPPED, FIXTURES]) {
    for (const file of readdirSync(source).filter((name) => name.endsWith('.json'))) {
      copyFileSync(join(source, file), join(dir, file));
    }
  }
  return dir;
}

describe.each(databaseKinds())('process definitions at work (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { PROCESSES_DIR: processesDir() });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  /** A tenant where only the named processes are active. */
  async function tenantWith(processIds: string[]) {
    const tenant = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    for (const process of await processes.list(tenant.tenantId)) {
      await processes.setActive(tenant.tenantId, process.id, processIds.includes(process.id));
    }
    return tenant;
  }

  describe('the default process resolves lookups by name', () => {
    it('Country: "canada" sets CountryId to Canada', async () => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const webhook = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'By name', Country: ' canada ' });
      expect(webhook.status).toBe('processed');
      const [lead] = await hookflow.records(tenantId, 'Lead');
      expect(lead).toMatchObject({ Contact: 'By name', CountryId: CANADA_ID });
      expect(lead).not.toHaveProperty('Country');
    });

    it('an explicit CountryId wins over Country', async () => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Country: 'Germany', CountryId: CANADA_ID });
      expect((await hookflow.records(tenantId, 'Lead'))[0].CountryId).toBe(CANADA_ID);
    });

    it('a name that matches no record keeps the webhook with a reason naming the value', async () => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const webhook = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'X', Country: 'Atlantis' });
      expect(webhook).toMatchObject({ status: 'received', recordIds: [] });
      expect(webhook.reason).toBe('Country: no Country record has Name "Atlantis"');
    });
  });

  it('a nested form-builder payload is mapped by expressions, with a branch per age', async () => {
    const { tenantId, apiKey } = await tenantWith(['form-builder-contact']);
    const answers = (age: number) => ({
      form_response: {
        answers: [
          { field: { ref: 'name' }, type: 'text', text: 'Grace Hopper' },
          { field: { ref: 'email' }, type: 'email', email: 'grace@example.com' },
          { field: { ref: 'age' }, type: 'number', number: age },
          { field: { ref: 'newsletter' }, type: 'boolean', boolean: true },
        ],
      },
    });
    const adult = await hookflow.deliver(tenantId, apiKey, answers(42));
    expect(adult.status).toBe('processed');
    expect(await hookflow.records(tenantId, 'Contact')).toEqual([
      expect.objectContaining({
        Name: 'Grace Hopper',
        Email: 'grace@example.com',
        Age: 42,
        IsEmailConfirmed: true,
        Notes: 'Sent with key Test source',
      }),
    ]);

    const minor = await hookflow.deliver(tenantId, apiKey, answers(12));
    expect(minor).toMatchObject({ status: 'received', reason: 'Under 18 (12): no Contact created' });
    const runs = await hookflow.get(InstancesService).forWebhook(tenantId, minor.id);
    expect(runs).toEqual([expect.objectContaining({ processId: 'form-builder-contact', processVersion: 3, status: 'failed', errorCode: 'PROCESS_FAILED' })]);
    expect(runs[0].trace.map((entry) => entry.step)).toEqual(['trigger', 'answers', 'adult', 'minor']);

    const other = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead' });
    expect(other).toMatchObject({ status: 'received', reason: expect.stringContaining('trigger conditions') });
    expect((await hookflow.get(InstancesService).forWebhook(tenantId, other.id))[0].status).toBe('skipped');
  });

  it('an order becomes one Lead per line item (switch, for-each); a replay after a failing line writes none twice', async () => {
    const { tenantId, apiKey } = await tenantWith(['order-line-items']);
    const lines = [
      { title: 'Mug', quantity: 2 },
      { title: 'Tea', quantity: 1 },
    ];
    const paid = await hookflow.deliver(tenantId, apiKey, { id: 1001, financial_status: 'paid', line_items: lines });
    expect(paid.status).toBe('processed');
    expect((await hookflow.records(tenantId, 'Lead')).map((lead) => [lead.Contact, lead.Notes]).sort()).toEqual([
      ['Mug', 'Order 1001, line 1, quantity 2'],
      ['Tea', 'Order 1001, line 2, quantity 1'],
    ]);

    const pending = await hookflow.deliver(tenantId, apiKey, { id: 1002, financial_status: 'pending', line_items: lines });
    expect(pending).toMatchObject({ status: 'received', reason: 'Order 1002 is pending, not paid: no Lead created' });

    const broken = await hookflow.deliver(tenantId, apiKey, {
      id: 1003,
      financial_status: 'paid',
      line_items: [
        { title: 'Cup', quantity: 1 },
        { title: 'Lid', quantity: 0 },
      ],
    });
    expect(broken).toMatchObject({
      status: 'received',
      reason: expect.stringMatching(/^Created Lead .+, then failed at step "lines\[1\]\.noQuantity": Line 2 \(Lid\) has no quantity$/),
    });
    const runs = await hookflow.get(InstancesService).forWebhook(tenantId, broken.id);
    expect(runs[0].trace.map((entry) => entry.step)).toEqual([
      'trigger',
      'status',
      'lines',
      'lines[0].counted',
      'lines[0].lead',
      'lines[1].counted',
      'lines[1].noQuantity',
    ]);

    // Sent again through the same process: line 1 finds the Lead it wrote the first time.
    await hookflow.get(WebhookDispatcher).replay(tenantId, broken.id);
    await hookflow.waitForWebhook(tenantId, broken.id);
    expect((await hookflow.records(tenantId, 'Lead')).filter((lead) => lead.Contact === 'Cup')).toHaveLength(1);
  });

  it('the landing-page example starts only for the key it names, and renames fields onto a Lead', async () => {
    const { tenantId, apiKey: otherKey } = await tenantWith(['landing-page-lead']);
    const landing = await hookflow.get(ApiKeysService).create(tenantId, 'Landing page');
    const form = {
      name: ' Grace Hopper ',
      email: 'Grace@Example.com',
      phone: '+1 202 555 0142',
      company: 'Navy',
      country: 'Canada',
      message: 'Call me',
    };
    const webhook = await hookflow.deliver(tenantId, landing.apiKey, form);
    expect(webhook.status).toBe('processed');
    expect(await hookflow.records(tenantId, 'Lead')).toEqual([
      expect.objectContaining({
        Contact: 'Grace Hopper',
        Email: 'grace@example.com',
        MobilePhone: '+1 202 555 0142',
        Account: 'Navy',
        CountryId: CANADA_ID,
        Notes: 'Call me',
      }),
    ]);

    const fromOtherKey = await hookflow.deliver(tenantId, otherKey, form);
    expect(fromOtherKey).toMatchObject({ status: 'received', reason: expect.stringMatching(/No active process/) });
    expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(1);
  });

  it('the upsert example updates the Contact with the same Email instead of creating another', async () => {
    const { tenantId, apiKey } = await tenantWith(['upsert-contact-by-email']);
    const first = await hookflow.deliver(tenantId, apiKey, { Email: 'Ada@Example.com', Name: 'Ada' });
    expect(first.status).toBe('processed');
    const second = await hookflow.deliver(tenantId, apiKey, { Email: ' ada@example.com', JobTitle: 'Countess', Country: 'United Kingdom' });
    expect(second.status).toBe('processed');
    expect(second.recordIds).toEqual(first.recordIds);

    const contacts = await hookflow.records(tenantId, 'Contact');
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ Id: first.recordIds[0], Name: 'Ada', Email: 'ada@example.com', JobTitle: 'Countess' });

    const third = await hookflow.deliver(tenantId, apiKey, { Email: 'new@example.com' });
    expect(third.recordIds).not.toEqual(first.recordIds);
    expect((await hookflow.records(tenantId, 'Contact')).map((contact) => contact.Name).sort()).toEqual(['Ada', 'new']);
  });

  it('several active processes run independently: one failing does not stop the other', async () => {
    const { tenantId, apiKey } = await tenantWith([DEFAULT_PROCESS, 'upsert-contact-by-email']);
    // The default process cannot map this (no EntityName); the upsert can.
    const webhook = await hookflow.deliver(tenantId, apiKey, { Email: 'both@example.com', Name: 'Both' });
    expect(webhook.status).toBe('processed');
    expect(webhook.reason).toMatch(/EntityName.*missing/);
    const runs = await hookflow.get(InstancesService).forWebhook(tenantId, webhook.id);
    expect(runs.map((run) => [run.processId, run.status]).sort()).toEqual([
      [DEFAULT_PROCESS, 'failed'],
      ['upsert-contact-by-email', 'completed'],
    ]);
  });
});
