import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { ProcessBpmn } from '../src/engine/process-bpmn.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { openConsole, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * Editing steps in the Designer tab without JSON (a form made from each step type's input schema,
 * GET /api/step-types) and the operations view (instance counts on the elements), in a real
 * browser against the service on its own SQLite file, serving the built console. One tenant with
 * custom processes, each started by webhooks of its own API key; the shipped default is off.
 */
// Code passed to page.waitForFunction runs in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const document: any;

const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const DEFAULT_PROCESS = 'create-object-records-from-webhook';

const intake = {
  id: 'designer-intake',
  name: 'Designer intake',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['intake'] },
  steps: [{ id: 'record', type: 'create-record', input: { object: 'Lead', values: { Email: 'Email', Notes: 'Name' } } }],
};

const lookup = {
  id: 'designer-lookup',
  name: 'Designer lookup',
  version: 1,
  activeByDefault: false,
  trigger: { type: 'webhook', apiKeys: ['lookup'] },
  steps: [{ id: 'find', type: 'resolve-object', input: { parameter: 'EntityName' } }],
};

const waits = {
  id: 'designer-waits',
  name: 'Designer waits',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['waits'] },
  steps: [
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name', Email: 'Email' } } },
    { id: 'pause', type: 'wait', input: { duration: 'P1D' } },
  ],
};

describe('editing steps and counting instances in the process designer', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  const keys: Record<string, string> = {};
  const pageErrors: string[] = [];
  const external: string[] = [];

  const processes = () => hookflow.get(ProcessesService);
  const shape = (id: string) => page.locator(`.designer-canvas .djs-element[data-element-id="${id}"]`);
  const panel = () => page.getByRole('complementary', { name: 'Selected element' });

  async function openDesigner(processId: string, shown: string): Promise<void> {
    await page.goto(`${hookflow.url}/console/t/${tenantId}/processes/${processId}`);
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape(shown).waitFor();
  }

  async function save(version: number): Promise<void> {
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved as version ${version} (custom).` })
      .waitFor();
  }

  /** What the admin API answers, with the analyst's session (the console's own way in). */
  async function apiGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    return page.evaluate(async (url) => {
      const response = await fetch(url, { credentials: 'same-origin' });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }, path);
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId } = await hookflow.newTenant('Acme'));
    await hookflow.get(UsersService).create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });
    await processes().setActive(tenantId, DEFAULT_PROCESS, false);
    for (const definition of [intake, lookup, waits]) await processes().create(tenantId, definition);
    for (const name of ['intake', 'lookup', 'waits']) keys[name] = (await hookflow.get(ApiKeysService).create(tenantId, name)).apiKey;
    ({ browser, page } = await openConsole(hookflow.url, { width: 1280, height: 900 }, { pageErrors, external }));
    await signIn(page, hookflow.url, ANALYST);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it("an analyst changes a create-record step's object and a value expression in the form, saves, and the next webhook writes that", async () => {
    await openDesigner(intake.id, 'record');
    await shape('record').click();
    const form = panel().getByRole('form', { name: 'Step input' });
    await form.waitFor();
    // The fields are the schema's (GET /api/step-types), filled with the step's input; no JSON.
    expect(await form.getByLabel('object', { exact: true }).inputValue()).toBe('Lead');
    expect(await form.getByLabel('values: Notes').inputValue()).toBe('Name');
    expect(await form.getByLabel('values: Email').inputValue()).toBe('Email');
    expect(await form.locator('textarea').count()).toBe(0);
    await form.getByText('Give one of "object" or "objectFrom".').waitFor();

    await form.getByLabel('object', { exact: true }).fill('Contact');
    await form.getByLabel('object', { exact: true }).press('Tab');
    await page.getByText('unsaved changes').waitFor();
    await form.getByLabel('values: Notes').fill("'From the designer: ' & Name");
    await form.getByLabel('values: Notes').press('Tab');
    // A Contact needs its Name: a row added with the keyboard.
    await form.getByRole('button', { name: 'Add to values' }).click();
    await form.getByLabel('values: key 3').fill('Name');
    await form.getByLabel('values: key 3').press('Tab');
    await form.getByLabel('values: Name').fill('Name');
    await form.getByLabel('values: Name').press('Tab');
    await save(2);

    const { status, body } = await apiGet(`/api/tenants/${tenantId}/processes/${intake.id}`);
    expect(status).toBe(200);
    const steps = (body.definition as { steps: Array<{ id: string; input: unknown }> }).steps;
    expect(steps).toEqual([
      expect.objectContaining({ id: 'record', input: { object: 'Contact', values: { Email: 'Email', Notes: "'From the designer: ' & Name", Name: 'Name' } } }),
    ]);

    const webhook = await hookflow.deliver(tenantId, keys.intake, { Name: 'Grace Hopper', Email: 'grace@example.com' });
    expect(webhook.status).toBe('processed');
    const contacts = await hookflow.records(tenantId, 'Contact');
    expect(contacts).toEqual([expect.objectContaining({ Name: 'Grace Hopper', Email: 'grace@example.com', Notes: 'From the designer: Grace Hopper' })]);
    expect(await hookflow.records(tenantId, 'Lead')).toEqual([]);

    // Undo takes the last edit back out of the diagram, and the form shows it.
    await shape('record').click();
    await form.getByLabel('object', { exact: true }).fill('Order');
    await form.getByLabel('object', { exact: true }).press('Tab');
    // bpmn-js's keys act while the canvas has the focus.
    await page.locator('.designer-canvas svg[tabindex]').first().focus();
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelector('#input-record-object')?.value === 'Contact');
  });

  it('a task without a step gets its type from the list of step types, its required inputs from the form, and saves', async () => {
    const exported = await hookflow.get(ProcessBpmn).export(tenantId, lookup.id);
    const bare = exported.replace(/(<bpmn:serviceTask id="find"[^>]*>)\s*<bpmn:extensionElements>[\s\S]*?<\/bpmn:extensionElements>/, '$1');
    expect(bare).not.toBe(exported);
    expect(bare).not.toContain('resolve-object');
    await openDesigner(lookup.id, 'find');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import .bpmn…' }).click()]);
    await chooser.setFiles({ name: 'bare.bpmn', mimeType: 'application/xml', buffer: Buffer.from(bare) });
    await page.getByRole('status').filter({ hasText: 'bare.bpmn is shown as a draft' }).waitFor();

    await shape('find').click();
    const select = panel().getByLabel('Step type');
    // Every registered step type is offered, with its description.
    const offered = await select.locator('option').allInnerTexts();
    expect(offered.some((text) => text.startsWith('find-record — '))).toBe(true);
    expect(offered.some((text) => text.startsWith('http-request — '))).toBe(true);
    await select.selectOption('find-record');
    await panel().getByText('find-record', { exact: true }).waitFor();

    const form = panel().getByRole('form', { name: 'Step input' });
    for (const name of ['object', 'column', 'value']) await form.getByLabel(`${name} (required)`).waitFor();
    await form.getByLabel('object (required)').fill('Contact');
    await form.getByLabel('column (required)').fill('Email');
    // "value" takes an expression or any constant: the schema gives it no type, so it is JSON.
    await form.getByLabel('value (required)').fill('"Email"');
    await form.getByLabel('value (required)').press('Tab');
    await form.getByLabel('required', { exact: true }).check();
    await save(2);

    const saved = await processes().get(tenantId, lookup.id);
    expect(saved.definition.steps).toEqual([
      expect.objectContaining({ id: 'find', type: 'find-record', input: { object: 'Contact', column: 'Email', value: 'Email', required: true } }),
    ]);
  });

  it('"Show counts" puts the instances of the period on the elements: waiting, failed and gone through', async () => {
    await Promise.all(['Ada', 'Katherine'].map((name) => hookflow.deliver(tenantId, keys.waits, { Name: name, Email: `${name}@example.com` })));
    // A Name that is no text is no Contact: this one fails at the lead.
    await hookflow.deliver(tenantId, keys.waits, { Name: { first: 'Nobody' }, Email: 'nobody@example.com' });
    const instances = await hookflow.get(InstancesService).list(tenantId, { processId: waits.id }, 10);
    expect(instances.map((instance) => instance.status).sort()).toEqual(['failed', 'waiting', 'waiting']);

    await openDesigner(waits.id, 'pause');
    expect(await page.locator('.hf-counts').count()).toBe(0);
    await page.getByLabel('Show counts').check();
    const badges = (id: string) => page.locator(`.djs-overlays[data-container-id="${id}"] .hf-counts`);
    await badges('pause').waitFor();
    const shown = async (id: string) => {
      const found = badges(id).locator('.hf-count');
      return Object.fromEntries(
        await found.evaluateAll((spans) =>
          spans.map((span) => [
            (span as unknown as { className: string }).className.replace('hf-count hf-count-', ''),
            (span as unknown as { textContent: string }).textContent,
          ]),
        ),
      );
    };
    expect(await shown('pause')).toEqual({ waiting: '2' });
    expect(await shown('lead')).toEqual({ failed: '1', completed: '2' });
    expect(await shown('Start-process')).toEqual({ completed: '3' });
    expect(await badges('End-process').count()).toBe(0);
    const summary = page.getByTestId('counts-summary');
    expect(await summary.innerText()).toContain('3 instances in the last 7 days; 2 wait at pause; 1 failed at lead.');

    // Another period asks again.
    await page.getByLabel('Period').selectOption('24h');
    await summary.filter({ hasText: '3 instances in the last 24 hours' }).waitFor();
    await page.getByLabel('Show counts').uncheck();
    await badges('pause').waitFor({ state: 'detached' });
    expect(await summary.count()).toBe(0);
    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
  });
});
