import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService, type InstanceView } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { InstanceControl } from '../src/pipeline/instance-control.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { CHROMIUM_ARGS, chromiumExecutable, screenshot, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * The console's Instances screens in a real browser (headless Chromium: see support/browser.ts)
 * against the service in this process (support/test-service.ts) on its own SQLite file, which
 * serves the built console (`npm run build:console`). One analyst, one tenant whose only active
 * process is a custom one: an instance that waits and is cancelled, one that fails and is
 * retried from the failed step, one resumed by a later webhook. The tests run in order.
 */
// Code passed to page.evaluate runs in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const window: any;

const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const DEFAULT_PROCESS = 'create-object-records-from-webhook';

const COOL_DOWN = {
  id: 'cool-down',
  name: 'Cool down',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'pause', type: 'wait', input: { duration: 'PT30S' } },
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name' } } },
  ],
};

const NEEDS_OWNER = {
  id: 'needs-owner',
  name: 'Needs an owner',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name' } } },
    { id: 'owner', type: 'find-record', input: { object: 'Contact', column: 'Email', value: 'owner', required: true } },
    { id: 'ownerName', type: 'set-variable', input: { name: 'owner', value: '$steps.owner.Name' } },
  ],
};

/** Started by the "forms" key, it waits for the shop's order with the same e-mail (sent with the "shop" key). */
const FOLLOW_UP = {
  id: 'lead-follow-up',
  name: 'Lead follow-up',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['forms'] },
  steps: [
    { id: 'order', type: 'wait-for-webhook', input: { key: '$lowercase(Email)', webhookKey: '$lowercase(customer.email)', apiKeys: ['shop'], timeout: 'P2D' } },
    { id: 'won', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Order ' & $steps.order.payload.id" } } },
  ],
};

describe('process instances in the console', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let apiKey: string;
  const external: string[] = [];
  const pageErrors: string[] = [];

  const instances = () => hookflow.get(InstancesService);
  const processes = () => hookflow.get(ProcessesService);

  async function open(section: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section, exact: true }).click();
  }

  async function text(selector: string): Promise<string> {
    return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
  }

  /** A time as the console shows it, in the browser's locale and time zone. */
  function shown(iso: string): Promise<string> {
    return page.evaluate((time) => new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), iso);
  }

  /** The timeline's rows as shown: step, type, status and output or error (when and duration left out). */
  async function timeline(): Promise<string[][]> {
    const rows = await page.locator('table.timeline tbody tr').all();
    return Promise.all(
      rows.map(async (row) => {
        const cells = (await row.locator('td').allInnerTexts()).map((cell) => cell.replace(/\s+/g, ' ').trim());
        return [cells[1], cells[2], cells[3], cells[5]];
      }),
    );
  }

  /** The instance a delivered webhook started (there is one: one process is active at a time). */
  async function startedBy(webhookId: string): Promise<InstanceView> {
    const started = await instances().list(tenantId, { webhookId }, 10);
    expect(started).toHaveLength(1);
    return started[0];
  }

  /** Opens the Instances screen with a status, then the instance's row, and answers the row's text. */
  async function openFromList(instanceId: string, status = ''): Promise<string> {
    await open('Instances');
    await page.getByLabel('Status').selectOption(status);
    const row = page.locator(`tr[data-instance="${instanceId}"]`);
    await row.waitFor();
    const shownRow = (await row.innerText()).replace(/\s+/g, ' ');
    await row.getByRole('link').click();
    await page.locator('#instance-title').waitFor();
    return shownRow;
  }

  async function activateOnly(definition: { id: string }, previous: string): Promise<void> {
    await processes().setActive(tenantId, previous, false);
    await processes().create(tenantId, definition);
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId, apiKey } = await hookflow.newTenant('Acme'));
    await hookflow.get(UsersService).create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });
    await activateOnly(COOL_DOWN, DEFAULT_PROCESS);

    browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      if (!request.url().startsWith(hookflow.url)) external.push(request.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it('lists a waiting instance with what it waits for, shows its timeline, and cancels it', async () => {
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Ada' });
    const waiting = await startedBy(webhook.id);
    expect(waiting.status).toBe('waiting');
    const until = waiting.waits?.[0].kind === 'timer' ? waiting.waits[0].until : 'a timer wait';

    await signIn(page, hookflow.url, ANALYST);

    await open('Instances');
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    const row = page.locator(`tr[data-instance="${waiting.id}"]`);
    const listed = (await row.innerText()).replace(/\s+/g, ' ');
    expect(listed).toContain('waiting');
    expect(listed).toContain('cool-down v1');
    expect(listed).toContain(`waits until ${await shown(until)}`);

    // The filters: it waits for a time, not for a webhook; it has not failed.
    await page.getByLabel('Waiting for').selectOption('webhook');
    await page.getByText('No instances match.').waitFor();
    await page.getByLabel('Waiting for').selectOption('timer');
    await row.waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No instances match.').waitFor();
    await page.getByLabel('Status').selectOption('waiting');
    await page.getByLabel('Process').selectOption('cool-down');
    await row.waitFor();
    expect(page.url()).toContain('status=waiting');

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Instance of cool-down' }).waitFor();
    expect(await text('.title-row')).toContain('waiting');
    expect(await text('[data-testid="waits"]')).toBe(`What it waits for waits until ${await shown(until)} at step pause`);
    const facts = await text('dl.facts');
    expect(facts).toContain('Process cool-down v1 custom');
    expect(facts).toContain(`Started ${await shown(waiting.startedAt)}`);
    expect(facts).toContain('Finished not yet');
    expect(facts).toContain(`Started by webhook ${webhook.id}`);
    expect(await timeline()).toEqual([['pause', 'wait', 'waiting', `{"waitsUntil":"${until}"}`]]);
    expect(await text('table.timeline tbody td')).toBe(await shown(waiting.trace[0].at!));

    // The variables unfold from the keyboard.
    const variables = page.locator('details.json-details').filter({ hasText: 'Variables' });
    await variables.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await variables.getAttribute('open')).not.toBeNull();
    expect(await variables.getByLabel('Variables').innerText()).toBe('{}');

    // Its webhook leads back to it.
    await page.getByRole('link', { name: `webhook ${webhook.id}` }).click();
    await page.getByRole('heading', { name: /^Webhook of / }).waitFor();
    await page.locator(`.run[data-instance="${waiting.id}"]`).getByRole('link', { name: 'cool-down v1' }).click();
    await page.getByRole('heading', { name: 'Instance of cool-down' }).waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel the instance' }).click();
    await page.getByRole('status').filter({ hasText: 'Cancelled.' }).waitFor();
    await page.locator('.title-row .badge').filter({ hasText: 'cancelled' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel the instance' }).count()).toBe(0);
    expect(await text('dl.facts')).not.toContain('not yet');
    expect(await page.locator('[data-testid="waits"]').count()).toBe(0);
    expect((await instances().get(tenantId, waiting.id)).status).toBe('cancelled');

    await page.getByRole('link', { name: 'Instances', exact: true }).first().click();
    await page.getByLabel('Status').selectOption('cancelled');
    expect((await page.locator(`tr[data-instance="${waiting.id}"]`).innerText()).replace(/\s+/g, ' ')).toContain('cancelled');
  });

  it("shows the server's reason when the instance ended before Cancel was pressed", async () => {
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Grace' });
    const waiting = await startedBy(webhook.id);
    await openFromList(waiting.id, 'waiting');
    // A colleague cancels it meanwhile; this page still shows it waiting.
    await hookflow.get(InstanceControl).cancel(tenantId, waiting.id);
    expect(await text('.title-row')).toContain('waiting');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel the instance' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: `Instance ${waiting.id} is cancelled; only waiting, running or failed instances can be cancelled` })
      .waitFor();
    await page.locator('.title-row .badge').filter({ hasText: 'cancelled' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Cancelled.' }).count()).toBe(0);
  });

  it('shows the failed step and its error; retried from that step once the Contact exists, the instance completes without a second Lead', async () => {
    await activateOnly(NEEDS_OWNER, COOL_DOWN.id);
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Lin', owner: 'boss@example.com' });
    const failed = await startedBy(webhook.id);
    expect(failed.status).toBe('failed');

    const listed = await openFromList(failed.id, 'failed');
    const error = 'no Contact record has Email "boss@example.com"';
    expect(listed).toContain('needs-owner v1');
    expect(listed).toContain(error);
    await page.getByRole('heading', { name: 'Instance of needs-owner' }).waitFor();
    expect(await text('.title-row')).toContain('failed');
    expect(await text('[data-testid="reason"]')).toContain(error);
    expect(await timeline()).toEqual([
      ['lead', 'create-record', 'ok', expect.stringContaining('"object":"Lead"')],
      ['owner', 'find-record', 'failed', expect.stringContaining(error)],
    ]);
    expect(await page.locator('table.timeline tr.failed-row td code').innerText()).toBe('owner');
    expect(await text('dl.facts')).toContain('Records written 1');
    await page.getByRole('button', { name: 'Cancel the instance' }).waitFor();

    await hookflow.get(RecordsService).create(tenantId, 'Contact', { Name: 'Boss', Email: 'boss@example.com' });
    await page.getByRole('button', { name: 'Retry from the failed step' }).click();
    await page.getByRole('status').filter({ hasText: 'Retried: it runs again from the step that failed.' }).waitFor();
    // The screen reads the instance again while it runs, until it has finished.
    await page.locator('.title-row .badge').filter({ hasText: 'completed' }).waitFor({ timeout: 20_000 });
    expect(await timeline()).toEqual([
      ['lead', 'create-record', 'ok', expect.any(String)],
      ['owner', 'find-record', 'failed', expect.stringContaining(error)],
      ['owner', 'find-record', 'ok', expect.stringContaining('{"found":1,"recordId":')],
      ['ownerName', 'set-variable', 'ok', expect.stringContaining('Boss')],
    ]);
    expect(await page.locator('[data-testid="reason"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Retry from the failed step' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel the instance' }).count()).toBe(0);
    expect(await text('dl.facts')).toContain('Records written 1');

    const leads = await hookflow.get(RecordsService).list(tenantId, 'Lead');
    expect(leads.map((lead) => lead.Contact)).toEqual(['Lin']);
    expect((await instances().get(tenantId, failed.id)).status).toBe('completed');
  });

  /** The elements of the path list under the diagram, as shown: name and outcome. */
  async function pathList(): Promise<string[]> {
    const items = await page.locator('.path-list li').allInnerTexts();
    return items.map((item) => item.replace(/\s+/g, ' ').trim());
  }

  it("draws a failed instance's path on its diagram; the failed step's retry from there completes it, also from its webhook", async () => {
    // needs-owner is the active process since the test before.
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Mae', owner: 'chief@example.com' });
    const failed = await startedBy(webhook.id);
    expect(failed.status).toBe('failed');
    await openFromList(failed.id, 'failed');

    await page.locator('.path-list li[data-element="owner"]').waitFor();
    expect(await pathList()).toEqual(['✓ Webhook went through', '✓ lead went through', '✗ owner failed here']);
    // On the diagram: the failed step marked as failed, the step before it as gone through, the one after it not reached.
    const marked = (id: string) => page.locator(`.djs-element[data-element-id="${id}"]`).getAttribute('class');
    expect(await marked('owner')).toContain('hf-path-failed');
    expect(await marked('lead')).toContain('hf-path-completed');
    expect(await marked('ownerName')).not.toMatch(/hf-path-/);
    expect(await marked('Flow-lead')).toContain('hf-path-taken');
    await screenshot(page, 'instance-path');

    await page.locator('.path-list li[data-element="owner"]').getByRole('button').click();
    const element = page.getByTestId('path-element');
    expect(await element.getByRole('heading').innerText()).toBe('owner owner');
    expect(await element.innerText()).toContain('no Contact record has Email "chief@example.com"');
    await element.getByText('Input of the step (find-record)').click();
    expect(JSON.parse(await element.getByLabel('Input of owner').innerText())).toEqual(NEEDS_OWNER.steps[1].input);
    // Clicking an element on the diagram selects it too.
    await page.locator('.djs-element[data-element-id="lead"]').click();
    expect(await element.getByRole('heading').innerText()).toBe('lead lead');
    expect(await element.getByRole('button', { name: 'Retry from here' }).count()).toBe(0);

    await hookflow.get(RecordsService).create(tenantId, 'Contact', { Name: 'Chief', Email: 'chief@example.com' });
    await page.locator('.path-list li[data-element="owner"]').getByRole('button').click();
    await element.getByRole('button', { name: 'Retry from here' }).click();
    await page.locator('.title-row .badge').filter({ hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.locator('.path-list li[data-element="End-process"]').waitFor();
    expect(await pathList()).toEqual([
      '✓ Webhook went through',
      '✓ lead went through',
      '✓ owner went through',
      '✓ ownerName went through',
      '✓ End went through',
    ]);
    expect((await instances().get(tenantId, failed.id)).status).toBe('completed');

    // The webhook's detail draws the same path.
    await page.getByRole('link', { name: `webhook ${webhook.id}` }).click();
    await page.getByRole('heading', { name: /^Webhook of / }).waitFor();
    const run = page.locator(`.run[data-instance="${failed.id}"]`);
    await run.getByRole('button', { name: 'Show the path on the diagram' }).click();
    await run.locator('.path-list li[data-element="ownerName"][data-outcome="completed"]').waitFor();
    expect(await run.locator('.djs-element.hf-path-failed').count()).toBe(0);
  });

  it("retries a failed instance from its webhook's diagram", async () => {
    const webhook = await hookflow.deliver(tenantId, apiKey, { Name: 'Ida', owner: 'head@example.com' });
    const failed = await startedBy(webhook.id);
    expect(failed.status).toBe('failed');
    await page.goto(`${hookflow.url}/console/t/${tenantId}/webhooks/${webhook.id}`);
    const run = page.locator(`.run[data-instance="${failed.id}"]`);
    await run.getByRole('button', { name: 'Show the path on the diagram' }).click();
    await run.locator('.path-list li[data-element="owner"][data-outcome="failed"]').getByRole('button').click();
    await hookflow.get(RecordsService).create(tenantId, 'Contact', { Name: 'Head', Email: 'head@example.com' });
    await run.getByRole('button', { name: 'Retry from here' }).click();
    await run.locator('h3 .badge').filter({ hasText: 'completed' }).waitFor({ timeout: 20_000 });
    expect((await instances().get(tenantId, failed.id)).status).toBe('completed');
  });

  it('says which webhook key an instance waits for; the webhook that gave it lists the instance it resumed', async () => {
    const keys = hookflow.get(ApiKeysService);
    const forms = (await keys.create(tenantId, 'forms')).apiKey;
    const shop = (await keys.create(tenantId, 'shop')).apiKey;
    await activateOnly(FOLLOW_UP, NEEDS_OWNER.id);
    const started = await hookflow.deliver(tenantId, forms, { Name: 'Ada', Email: 'Ada@Example.com' });
    const waiting = await startedBy(started.id);
    const timeoutAt = waiting.waits?.[0].kind === 'webhook' ? waiting.waits[0].timeoutAt : null;
    expect(timeoutAt).toEqual(expect.any(String));

    await open('Instances');
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Process').selectOption('');
    await page.getByLabel('Waiting for').selectOption('webhook');
    // Only it waits for a webhook (the others were cancelled or have completed).
    await page.waitForFunction(() => document.querySelectorAll('table.instances tbody tr').length === 1);
    const row = page.locator(`tr[data-instance="${waiting.id}"]`);
    expect((await row.innerText()).replace(/\s+/g, ' ')).toContain(`waits for a webhook with key ada@example.com until ${await shown(timeoutAt!)}`);
    await row.getByRole('link').click();
    expect(await text('[data-testid="waits"]')).toBe(
      `What it waits for waits for a webhook with key ada@example.com until ${await shown(timeoutAt!)} at step order`,
    );

    const order = await hookflow.deliver(tenantId, shop, { id: 'A-2', customer: { email: 'ADA@example.com' } });
    await page.goto(`${hookflow.url}/console/t/${tenantId}/webhooks/${order.id}`);
    await page.getByRole('heading', { name: 'Instances it resumed' }).waitFor();
    const resumed = page.locator(`ul.resumed li[data-instance="${waiting.id}"]`);
    await resumed.waitFor();
    expect(await resumed.innerText()).toContain('lead-follow-up v1');
    await resumed.getByRole('link').click();
    await page.getByRole('heading', { name: 'Instance of lead-follow-up' }).waitFor();
    // The resumed run may still be going: Refresh until it has ended.
    for (let tries = 0; !(await text('.title-row')).includes('completed') && tries < 40; tries++) {
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    expect(await text('.title-row')).toContain('completed');
    expect(await text('dl.facts')).toContain(`Resumed by webhook ${order.id}`);
    expect((await timeline()).map((entry) => entry.slice(0, 3))).toEqual([
      ['order', 'wait-for-webhook', 'waiting'],
      ['order', 'wait-for-webhook', 'ok'],
      ['won', 'create-record', 'ok'],
    ]);
  });

  it('shows what started an instance no webhook started: the record written by another instance, which it links to', async () => {
    const onLead = {
      id: 'contact-for-lead',
      name: 'A Contact for every Lead with an e-mail',
      version: 1,
      activeByDefault: true,
      trigger: { type: 'record', object: 'Lead', on: ['created'], condition: '$exists(Email)' },
      steps: [{ id: 'contact', type: 'create-record', input: { object: 'Contact', values: { Name: 'Contact', Email: 'Email' } } }],
    };
    await processes().create(tenantId, onLead);
    await processes().setActive(tenantId, FOLLOW_UP.id, false);
    await processes().setActive(tenantId, DEFAULT_PROCESS, true);
    const webhook = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Lead', Contact: 'Rec Ord', Email: 'rec@example.com' });
    const [writer] = (await instances().list(tenantId, { webhookId: webhook.id }, 10)).filter((one) => one.processId === DEFAULT_PROCESS);
    const lead = (await hookflow.records(tenantId, 'Lead')).find((record) => record.Email === 'rec@example.com')!;
    let started: InstanceView | undefined;
    for (let tries = 0; !started && tries < 100; tries++) {
      [started] = await instances().list(tenantId, { processId: 'contact-for-lead' }, 10);
      if (!started) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.goto(`${hookflow.url}/console/t/${tenantId}/instances/${started!.id}`);
    await page.getByRole('heading', { name: 'Instance of contact-for-lead' }).waitFor();
    expect(await text('[data-testid="started-by"]')).toBe(`Lead ${lead.Id} created by instance ${writer.id}`);
    await page.locator('[data-testid="started-by"]').getByRole('link').click();
    await page.getByRole('heading', { name: `Instance of ${DEFAULT_PROCESS}` }).waitFor();
    expect(await text('[data-testid="started-by"]')).toBe(`webhook ${webhook.id}`);

    // The process's page says what starts it.
    await page.goto(`${hookflow.url}/console/t/${tenantId}/processes/contact-for-lead`);
    await page.getByRole('heading', { name: 'Starts' }).waitFor();
    expect(await text('h2:has-text("Starts") + p')).toBe('When a process creates a Lead record for which $exists(Email); $ is the record.');
  });

  it('fits a narrow window and loads nothing from elsewhere', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await open('Instances');
    await page.getByLabel('Waiting for').selectOption('');
    await page.locator('table.instances').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(1);
    await page.locator('table.instances tbody tr').first().getByRole('link').click();
    await page.locator('table.timeline').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(1);
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Instances' }).isVisible()).toBe(true);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
