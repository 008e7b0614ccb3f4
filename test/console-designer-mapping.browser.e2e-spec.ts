import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { CANADA_ID } from '../src/catalogue/default-catalogue.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { apiRequest } from './support/admin-client.js';
import { openConsole, screenshot, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * Mapping a webhook in the Designer without typing JSON: a new custom process from the process
 * list, a stored Typeform webhook as the sample, a create-record step inserted on the flow, its
 * columns chosen from the object's and filled by clicking the sample's parameters (each with its
 * value on the sample), a dry run on the sample, save and activate; the next Typeform webhook
 * writes the Lead. In Chromium against the service on its own SQLite file, serving the built console.
 */

const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const PROCESS_ID = 'typeform-leads';
const typeform = JSON.parse(readFileSync(new URL('./fixtures/forms/typeform.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** The columns the analyst adds, the Typeform field each is read from, and its value on the sample. */
const COLUMNS: Array<[column: string, ref: string, value: string]> = [
  ['Contact', 'full_name', 'Ada Lovelace'],
  ['Email', 'email_address', 'ada@analytical.example'],
  ['MobilePhone', 'phone', '+16175551234'],
  ['Country', 'country', 'Canada'],
];

describe('mapping a webhook in the designer, without JSON', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let apiKey: string;
  const pageErrors: string[] = [];

  const shape = (id: string) => page.locator(`.designer-canvas .djs-element[data-element-id="${id}"]`);
  const panel = () => page.getByRole('complementary', { name: 'Selected element' });
  /** The value field of a column in the step's `values`, with what is under it. */
  const column = (name: string) => panel().locator('.input-value', { has: page.getByLabel(`values: ${name}`, { exact: true }) });

  async function clickFlow(id: string): Promise<void> {
    const box = (await shape(id).boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId } = await hookflow.newTenant('Acme'));
    await hookflow.get(UsersService).create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });
    apiKey = (await hookflow.get(ApiKeysService).create(tenantId, 'Typeform')).apiKey;
    // The tenant's first Typeform webhook: no process understands it, so it is kept without a record.
    const sent = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: typeform });
    expect(sent.status).toBe(202);
    expect(await hookflow.waitForWebhook(tenantId, sent.body.id as string)).toMatchObject({ status: 'received', recordIds: [] });
    ({ browser, page } = await openConsole(hookflow.url, { width: 1400, height: 1000 }, { pageErrors }));
    await signIn(page, hookflow.url, ANALYST);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it('creates a process, maps a stored Typeform webhook onto a Lead by clicking, dry-runs, saves, activates, and the next webhook writes the Lead', async () => {
    // A new custom process: an id and a name typed, the key chosen from the list.
    await page.goto(`${hookflow.url}/console/t/${tenantId}/processes`);
    await page.getByRole('button', { name: 'New custom process' }).click();
    await page.getByLabel('Process id').fill(PROCESS_ID);
    await page.getByLabel('Name', { exact: true }).fill('Typeform leads');
    await page.getByLabel('Started by webhooks of').selectOption('Typeform');
    await page.getByRole('button', { name: 'Create' }).click();

    // It opens in the Designer: a start, the flow, and the stop that ends it.
    await shape('done').waitFor();
    expect(await page.getByRole('tab', { name: 'Designer' }).getAttribute('aria-selected')).toBe('true');
    expect((await hookflow.get(ProcessesService).get(tenantId, PROCESS_ID)).definition.trigger).toEqual({ type: 'webhook', apiKeys: ['Typeform'] });

    // The stored webhook as the sample, chosen by its time, key and status.
    const sample = page.locator('#designer-sample');
    const stored = sample.locator('option', { hasText: 'Typeform · received' });
    expect(await stored.count()).toBe(1);
    await sample.selectOption((await stored.getAttribute('value'))!);
    await page.getByText('Expressions show their value on the webhook of').waitFor();

    // A create-record step on the flow after the start.
    await clickFlow('Flow-Start-process');
    await panel().getByLabel('Insert a step here').selectOption('create-record');
    await panel().getByRole('button', { name: 'Insert', exact: true }).click();
    await shape('createRecord').waitFor();
    const object = panel().getByLabel('object', { exact: true });
    await object.fill('Lead');
    await object.press('Tab');

    // Each column from the object's list, filled by clicking its Typeform answer; its value on the sample shows.
    for (const [name, ref, value] of COLUMNS) {
      const picker = panel().getByLabel('Column of Lead to add');
      // A lookup is offered by the object it refers to (Country, for CountryId) and written so.
      if (name === 'Country') expect(await picker.locator('option[value="Country"]').innerText()).toContain('sets CountryId');
      await picker.selectOption(name);
      await panel().getByRole('button', { name: 'Add column' }).click();
      await column(name).getByRole('button', { name: 'Pick a parameter of the sample' }).click();
      const tree = column(name).getByRole('group', { name: `Parameters of the sample for values: ${name}` });
      await tree.locator('button.parameter', { hasText: `field.ref='${ref}'` }).click();
      await column(name)
        .getByTestId('expression-value')
        .filter({ hasText: JSON.stringify(value) })
        .waitFor();
      expect(await panel().getByLabel(`values: ${name}`, { exact: true }).inputValue()).toContain(`field.ref='${ref}'`);
    }
    await page.getByText('unsaved changes').waitFor();

    // A dry run on the sample plans the Lead.
    await page.getByRole('button', { name: 'Dry run on the sample' }).click();
    const planned = page.locator('.dry-run-result .records');
    await planned.waitFor();
    const text = (await planned.innerText()).replace(/\s+/g, ' ');
    for (const value of ['Lead', 'Ada Lovelace', 'ada@analytical.example', '+16175551234', CANADA_ID]) expect(text).toContain(value);
    await screenshot(page, 'designer-mapping');

    // The JSON editor shows the drawn step: one draft for both views.
    await page.getByRole('tab', { name: 'Edit and test' }).click();
    const draft = JSON.parse(await page.locator('#definition-editor').inputValue());
    expect(draft.steps.map((step: { id: string }) => step.id)).toEqual(['createRecord', 'done']);
    expect(draft.steps[0]).toMatchObject({ type: 'create-record', input: { object: 'Lead' } });
    expect(Object.keys(draft.steps[0].input.values)).toEqual(COLUMNS.map(([name]) => name));

    // Back in the Designer, the draft is drawn; saved from there, and switched on.
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape('createRecord').waitFor();
    await page.getByText("The diagram shows the JSON editor's draft").waitFor();
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2 (custom).' }).waitFor();
    await page.getByRole('switch', { name: 'Typeform leads active' }).click();
    await page.locator('[role="switch"][aria-checked="true"]').waitFor();

    // The next Typeform webhook to the tenant's key writes the Lead.
    const webhook = await hookflow.deliver(tenantId, apiKey, typeform);
    expect(webhook.status).toBe('processed');
    const leads = await hookflow.records(tenantId, 'Lead');
    expect(leads).toEqual([
      expect.objectContaining({ Contact: 'Ada Lovelace', Email: 'ada@analytical.example', MobilePhone: '+16175551234', CountryId: CANADA_ID }),
    ]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
