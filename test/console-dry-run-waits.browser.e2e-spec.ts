import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { CHROMIUM_ARGS, chromiumExecutable, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * The dry-run panel going on past waits, in a real browser (headless Chromium: see
 * support/browser.ts) against the service in this process (support/test-service.ts) on its own
 * SQLite file, which serves the built console (`npm run build:console`). An analyst tries the
 * shipped "lead-order-follow-up" process (inactive, as every tenant has it) on its form sample: it
 * stops where it would wait for the shop's order, and goes on as if the order came, or as if none
 * came in two days. The tests run in order.
 */
// Code passed to page.evaluate runs in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const window: any;

const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const PROCESS_NAME = 'Form lead → follow up if no order in 2 days';
const sample = (name: string) => readFileSync(fileURLToPath(new URL(`../processes/samples/${name}.json`, import.meta.url)), 'utf8');
const FORM = sample('lead-order-follow-up');
const ORDER = sample('shopify-order');
/** A timer, then one approval per line item; a rejected line gets a Lead saying so (as in dry-run-waits.e2e-spec.ts). */
const APPROVE_EACH_LINE = {
  id: 'approve-each-line',
  name: 'Approve each line',
  version: 1,
  activeByDefault: false,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'cool', type: 'wait', input: { duration: 'PT10M' } },
    {
      id: 'lines',
      type: 'for-each',
      input: { items: 'line_items' },
      steps: [
        { id: 'approve', type: 'wait-for-approval', input: { title: 'Approve a line', details: '$item.title', timeout: 'P1D' } },
        {
          id: 'decided',
          type: 'switch',
          input: { value: '$steps.approve.decision' },
          cases: { rejected: [{ id: 'no', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Rejected ' & $item.title" } } }] },
          default: [],
        },
      ],
    },
  ],
};
const STOPPED =
  /^Stopped here: would wait for a webhook with key "grace\.hopper@example\.com" for 2 days \(timeout at \d{4}-\d\d-\d\dT[\d:.]+Z\) \(step order\)$/;

describe('dry runs that go on past waits in the console', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  const external: string[] = [];
  const pageErrors: string[] = [];
  /** The bodies of the dry runs the page asked for, in order. */
  const dryRuns: Array<Record<string, unknown>> = [];

  const result = () => page.locator('.dry-run-result');
  const waitAt = (step: string) => result().locator(`.waiting-for[data-step="${step}"]`);
  const payloadField = () => page.getByLabel('Payload of the webhook that arrives (JSON)');

  async function text(selector: string): Promise<string> {
    return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
  }

  /** Waits until the result's status badge says `status`. */
  async function statusIs(status: string): Promise<void> {
    await result().locator('h3 .badge').filter({ hasText: status }).waitFor();
  }

  /** The trace as shown: step, type and result per row. */
  async function trace(): Promise<string[][]> {
    const rows = await result().locator('table.trace tbody tr').all();
    return Promise.all(rows.map(async (row) => (await row.locator('td').allInnerTexts()).slice(1).map((cell) => cell.replace(/\s+/g, ' ').trim())));
  }

  /** The would-be records as shown: "create Lead", "create Contact". */
  const records = () => result().locator('ul.records > li > strong').allInnerTexts();

  /** Clicks a button and waits for the dry run it asks for to be answered. */
  async function clickAndRun(name: string): Promise<void> {
    const answered = page.waitForResponse((response) => response.url().endsWith('/processes/test'));
    await page.getByRole('button', { name, exact: true }).click();
    await answered;
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId } = await hookflow.newTenant('Acme'));
    await hookflow.get(UsersService).create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });

    browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      if (!request.url().startsWith(hookflow.url)) external.push(request.url());
      if (request.url().endsWith('/processes/test')) dryRuns.push(request.postDataJSON());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it('stops where the run would wait for the order and says for what; the wait is no failure', async () => {
    await signIn(page, hookflow.url, ANALYST);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Processes', exact: true }).click();
    await page.getByRole('link', { name: PROCESS_NAME }).click();
    await page.getByRole('heading', { name: PROCESS_NAME }).waitFor();
    await page.getByRole('tab', { name: 'Edit and test' }).click();
    await page.getByText('The definition is valid.').waitFor();

    await page.getByLabel('Sample payload (JSON)').fill(FORM);
    await clickAndRun('Dry-run the draft');
    await statusIs('waiting');
    expect(await waitAt('order').locator('.stopped').innerText()).toMatch(STOPPED);
    expect(await trace()).toEqual([
      ['trigger', 'condition', expect.any(String)],
      ['email', 'set-variable', expect.stringContaining('grace.hopper@example.com')],
      ['lead', 'create-record', expect.any(String)],
      ['order', 'wait-for-webhook', expect.stringMatching(/^waits \{"waitsForWebhook"/)],
    ]);
    expect(await result().locator('table.trace tr.failed-row').count()).toBe(0);
    expect(await result().locator('table.trace .badge.status-waiting').innerText()).toBe('waits');
    expect(await records()).toEqual(['create Lead']);

    // The choices for a wait for a webhook: it times out (picked at first) or a webhook arrives.
    const group = page.getByRole('group', { name: 'How it goes on at order' });
    expect(await group.getByRole('radio').count()).toBe(2);
    expect((await group.locator('.choices label').allInnerTexts()).map((label) => label.trim())).toEqual(['Times out', 'A webhook arrives']);
    expect(await group.getByRole('radio', { name: 'Times out' }).isChecked()).toBe(true);
    expect(await payloadField().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start over' }).count()).toBe(0);
    expect(dryRuns).toEqual([{ definition: expect.objectContaining({ id: 'lead-order-follow-up' }), payload: JSON.parse(FORM) }]);
  });

  it('a webhook arrives with the Shopify order: the run completes on the order branch and would write the Contact', async () => {
    await page.getByRole('radio', { name: 'A webhook arrives' }).check();
    expect(await payloadField().inputValue()).toBe('{}');
    await payloadField().fill(ORDER);
    await clickAndRun('Continue');
    await statusIs('completed');
    expect(dryRuns.at(-1)).toEqual({ definition: expect.any(Object), payload: JSON.parse(FORM), waits: { order: { payload: JSON.parse(ORDER) } } });

    expect((await trace()).map((row) => row.slice(0, 2).join(' '))).toEqual([
      'trigger condition',
      'email set-variable',
      'lead create-record',
      'order wait-for-webhook',
      'order wait-for-webhook',
      'ordered condition',
      'customer upsert-record',
    ]);
    expect((await trace())[4][2]).toMatch(/^\{"timedOut":false,"webhookId":"dry-run","payload":\{"id":5821034283063/);
    expect(await records()).toEqual(['create Lead', 'create Contact']);
    const contact = (await result().locator('ul.records > li').nth(1).innerText()).replace(/\s+/g, ' ');
    expect(contact).toContain('Email grace.hopper@example.com');
    expect(contact).toContain('Name Grace Hopper');
    expect(contact).toContain('Customer since Shopify order #1001 (112.49 USD)');
    expect(await result().locator('.waiting-for').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    expect(await text('.dry-run-result .chosen li')).toBe('at step order: a webhook arrived with the payload given');
    // A dry run writes nothing.
    expect(await hookflow.records(tenantId, 'Contact')).toEqual([]);
    expect(await hookflow.records(tenantId, 'Lead')).toEqual([]);
  });

  it('Start over forgets the choice; timed out, the run calls the CRM (not sent) and would write the Lead only', async () => {
    await clickAndRun('Start over');
    await statusIs('waiting');
    expect(dryRuns.at(-1)).toEqual({ definition: expect.any(Object), payload: JSON.parse(FORM), waits: {} });
    expect(await waitAt('order').locator('.stopped').innerText()).toMatch(STOPPED);
    expect(await page.locator('.dry-run-result .chosen').count()).toBe(0);
    expect(await payloadField().count()).toBe(0);
    expect(await records()).toEqual(['create Lead']);

    await page.getByRole('radio', { name: 'A webhook arrives' }).check();
    await page.getByRole('radio', { name: 'Times out' }).check();
    expect(await payloadField().count()).toBe(0);
    await clickAndRun('Continue');
    await statusIs('completed');
    expect(dryRuns.at(-1)).toMatchObject({ waits: { order: 'timeout' } });
    const rows = await trace();
    expect(rows.map((row) => row.slice(0, 2).join(' '))).toEqual([
      'trigger condition',
      'email set-variable',
      'lead create-record',
      'order wait-for-webhook',
      'order wait-for-webhook',
      'ordered condition',
      'crmTask http-request',
    ]);
    expect(rows[4][2]).toContain('"timedOut":true');
    expect(rows[6][2]).toMatch(/^not sent \{"request":\{"method":"POST","url":"https:\/\/crm\.example\.com\/api\/tasks"/);
    expect(await result().locator('table.trace tbody tr').nth(6).locator('.badge').innerText()).toBe('not sent');
    expect(await records()).toEqual(['create Lead']);
    expect(await text('.dry-run-result .chosen li')).toBe('at step order: its time passed (timeout)');
  });

  it('a payload that is not JSON shows the error at the field and sends nothing; one the service refuses shows its reason there', async () => {
    await clickAndRun('Start over');
    await statusIs('waiting');
    await page.getByRole('radio', { name: 'A webhook arrives' }).check();
    await payloadField().fill('{ "email": "grace.hopper@example.com", }');
    const sent = dryRuns.length;
    await page.getByRole('button', { name: 'Continue' }).click();
    const problem = waitAt('order').getByRole('alert');
    await problem.waitFor();
    expect(await problem.innerText()).toMatch(/^The payload is not JSON: line 1, column \d+: /);
    expect(await payloadField().getAttribute('aria-invalid')).toBe('true');
    expect(await payloadField().getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    await page.waitForTimeout(200);
    expect(dryRuns.length).toBe(sent);
    await statusIs('waiting');

    // Fixing the text clears the error; a list is JSON, but the service wants an object.
    await payloadField().fill('[1, 2]');
    expect(await problem.count()).toBe(0);
    await clickAndRun('Continue');
    const refused = result().locator('.go-on').getByRole('alert');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('waits.order: a wait-for-webhook step takes "timeout" or { "payload": { … } }, not {"payload":[1,2]}');
    // The run shown is still the one that stopped, with the choice as it was left.
    await statusIs('waiting');
    expect(await payloadField().inputValue()).toBe('[1, 2]');
  });

  it('goes on from the keyboard, fits a narrow window and loads nothing from elsewhere', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(1);
    expect(await waitAt('order').locator('.stopped').isVisible()).toBe(true);

    // Arrow keys move the choice; Tab reaches the payload, then Continue.
    await page.getByRole('radio', { name: 'A webhook arrives' }).focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByRole('radio', { name: 'Times out' }).isChecked()).toBe(true);
    expect(await payloadField().count()).toBe(0);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'A webhook arrives' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.getAttribute('aria-invalid'))).toBe('false');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(ORDER);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.textContent)).toBe('Continue');
    const answered = page.waitForResponse((response) => response.url().endsWith('/processes/test'));
    await page.keyboard.press('Enter');
    await answered;
    await statusIs('completed');
    expect(await records()).toEqual(['create Lead', 'create Contact']);
    expect(await overflow()).toBeLessThanOrEqual(1);
    expect(await page.getByRole('button', { name: 'Start over' }).isVisible()).toBe(true);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('a draft with a timer and an approval in a loop goes on wait after wait, keeping the choices made', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    const validated = page.waitForResponse((response) => response.url().endsWith('/processes/validate'));
    await page.getByLabel('Definition (JSON)').fill(JSON.stringify(APPROVE_EACH_LINE, null, 2));
    await validated;
    await page.getByText('The definition is valid.').waitFor();
    await page.getByLabel('Sample payload (JSON)').fill(JSON.stringify({ line_items: [{ title: 'Mug' }, { title: 'Poster' }] }));
    await clickAndRun('Dry-run the draft');
    await statusIs('waiting');
    expect(await page.locator('.dry-run-result .chosen').count()).toBe(0);
    expect(await waitAt('cool').locator('.stopped').innerText()).toMatch(/^Stopped here: would wait 10 minutes, until \d{4}-[\d-]+T[\d:.]+Z \(step cool\)$/);
    const timer = page.getByRole('group', { name: 'How it goes on at cool' });
    expect((await timer.locator('.choices label').allInnerTexts()).map((label) => label.trim())).toEqual(['Time passes']);
    expect(await timer.getByRole('radio', { name: 'Time passes' }).isChecked()).toBe(true);
    await clickAndRun('Continue');

    await waitAt('lines[0].approve').waitFor();
    expect(dryRuns.at(-1)).toMatchObject({ definition: APPROVE_EACH_LINE, waits: { cool: 'timeout' } });
    expect(await waitAt('lines[0].approve').locator('.stopped').innerText()).toMatch(
      /^Stopped here: would wait for a decision on the task "Approve a line" for 1 day \(timeout at .+\) \(step lines\[0\]\.approve\)$/,
    );
    const first = page.getByRole('group', { name: 'How it goes on at lines[0].approve' });
    expect((await first.locator('.choices label').allInnerTexts()).map((label) => label.trim())).toEqual(['Approved', 'Rejected', 'Times out']);
    expect(await waitAt('cool').count()).toBe(0);
    expect(await text('.dry-run-result .chosen li')).toBe('at step cool: its time passed (timeout)');
    await first.getByRole('radio', { name: 'Rejected' }).check();
    await first.getByLabel('Comment (optional)').fill('No');
    await clickAndRun('Continue');

    await waitAt('lines[1].approve').waitFor();
    expect(dryRuns.at(-1)).toMatchObject({ waits: { cool: 'timeout', 'lines[0].approve': { decision: 'rejected', comment: 'No' } } });
    const second = page.getByRole('group', { name: 'How it goes on at lines[1].approve' });
    expect(await second.getByRole('radio', { name: 'Approved' }).isChecked()).toBe(true);
    expect(await second.getByLabel('Comment (optional)').inputValue()).toBe('');
    await clickAndRun('Continue');

    await statusIs('completed');
    expect(dryRuns.at(-1)).toMatchObject({
      waits: { cool: 'timeout', 'lines[0].approve': { decision: 'rejected', comment: 'No' }, 'lines[1].approve': { decision: 'approved' } },
    });
    expect((await result().locator('.chosen li').allInnerTexts()).map((line) => line.replace(/\s+/g, ' ').trim())).toEqual([
      'at step cool: its time passed (timeout)',
      'at step lines[0].approve: rejected, with the comment “No”',
      'at step lines[1].approve: approved',
    ]);
    const steps = (await trace()).map((row) => `${row[0]} ${row[2].startsWith('waits ') ? 'waits' : 'ok'}`);
    expect(await result().locator('table.trace tr.failed-row').count()).toBe(0);
    expect(steps).toEqual([
      'cool waits',
      'cool ok',
      'lines ok',
      'lines[0].approve waits',
      'lines[0].approve ok',
      'lines[0].decided ok',
      'lines[0].no ok',
      'lines[1].approve waits',
      'lines[1].approve ok',
      'lines[1].decided ok',
    ]);
    expect(await records()).toEqual(['create Lead']);
    expect(await text('.dry-run-result ul.records')).toContain('Contact Rejected Mug');
    expect(pageErrors).toEqual([]);
  });
});
