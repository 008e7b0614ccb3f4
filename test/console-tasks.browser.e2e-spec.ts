import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService, type InstanceView } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { TasksService, type TaskView } from '../src/engine/tasks.service.js';
import { ApprovalTasks } from '../src/pipeline/approval-tasks.service.js';
import { CHROMIUM_ARGS, chromiumExecutable, signIn as signInAs } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { discountApproval } from './fixtures/approval-processes.js';

/**
 * The console's Tasks inbox in a real browser (headless Chromium: see support/browser.ts) against
 * the service in this process (support/test-service.ts) on its own SQLite file, which serves the
 * built console (`npm run build:console`). One tenant whose only active process asks a person to
 * approve a discount (wait-for-approval); an analyst and a viewer, each in a browser context of
 * their own. The tests run in order.
 */
// Code passed to page.evaluate runs in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const window: any;

const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const VIEWER = { email: 'victor@example.com', password: 'viewer passphrase 1' };
const COLLEAGUE = 'grace@example.com';
const DEFAULT_PROCESS = 'create-object-records-from-webhook';
const TITLE = 'Approve the discount';

const DISCOUNT_APPROVAL = discountApproval({ details: "{ 'customer': Name, 'discount': Discount, 'lines': Lines }" });

describe('the Tasks inbox in the console', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let viewerPage: Page;
  let tenantId: string;
  let apiKey: string;
  const external: string[] = [];
  const pageErrors: string[] = [];
  /** The first task: shown by the first tests, approved by the third. */
  let first: TaskView;

  const instances = () => hookflow.get(InstancesService);
  const leads = async () => (await hookflow.get(RecordsService).list(tenantId, 'Lead', 100)).map((lead) => lead.Contact).sort();

  async function newPage(): Promise<Page> {
    const opened = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    opened.setDefaultTimeout(10_000);
    opened.on('request', (request) => {
      if (!request.url().startsWith(hookflow.url)) external.push(request.url());
    });
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    return opened;
  }

  const signIn = (on: Page, user: { email: string; password: string }) => signInAs(on, hookflow.url, user);

  /** The nav's Tasks link, whatever count it shows. */
  const tasksLink = (on: Page) => on.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /^Tasks/ });

  async function text(on: Page, selector: string): Promise<string> {
    return (await on.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
  }

  /** A time as the console shows it, in the browser's locale and time zone. */
  function shown(iso: string): Promise<string> {
    return page.evaluate((time) => new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), iso);
  }

  /** Delivers a discount request and answers the instance it started (waiting) and its open task. */
  async function request(body: Record<string, unknown>): Promise<{ instance: InstanceView; task: TaskView }> {
    const webhook = await hookflow.deliver(tenantId, apiKey, body);
    const [instance] = await instances().list(tenantId, { webhookId: webhook.id }, 10);
    expect(instance).toMatchObject({ status: 'waiting', waits: [{ kind: 'approval', step: 'approve' }] });
    const tasks = await hookflow.get(TasksService).list(tenantId, { instanceId: instance.id }, 10);
    expect(tasks).toEqual([expect.objectContaining({ status: 'open', title: TITLE })]);
    return { instance, task: tasks[0] };
  }

  async function ended(instanceId: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await instances().get(tenantId, instanceId)).status !== 'completed') {
      if (Date.now() > deadline) throw new Error(`Instance ${instanceId} has not completed`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Opens the inbox from the nav, on a tab, and the task from its row; answers the row's text. */
  async function openTask(on: Page, taskId: string, tab = 'Open'): Promise<string> {
    await tasksLink(on).click();
    await on.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await on.getByRole('tab', { name: tab }).click();
    const row = on.locator(`table.tasks tr[data-task="${taskId}"]`);
    await row.waitFor();
    const listed = (await row.innerText()).replace(/\s+/g, ' ');
    await row.getByRole('link', { name: TITLE, exact: true }).click();
    await on.locator(`section.task[data-task="${taskId}"] h2`).waitFor();
    return listed;
  }

  /** The task's details as shown: name and value per row. */
  async function details(on: Page): Promise<Record<string, string>> {
    const names = await on.locator('dl.task-details dt').allInnerTexts();
    const values = await on.locator('dl.task-details dd').allInnerTexts();
    return Object.fromEntries(names.map((name, index) => [name, values[index].trim()]));
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId, apiKey } = await hookflow.newTenant('Acme'));
    const users = hookflow.get(UsersService);
    await users.create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });
    await users.create(VIEWER.email, VIEWER.password, { tenantId, role: 'viewer' });
    await hookflow.get(ProcessesService).setActive(tenantId, DEFAULT_PROCESS, false);
    await hookflow.get(ProcessesService).create(tenantId, DISCOUNT_APPROVAL);

    browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    page = await newPage();
    viewerPage = await newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it('counts the open task on the dashboard and in the nav; the inbox lists it with when it is due, and its instance links back to it', async () => {
    const lines = [
      { sku: 'A-1', quantity: 2 },
      { sku: 'B-7', quantity: 1, note: 'gift wrap' },
    ];
    const { instance, task } = await request({ Name: 'Ada Lovelace', Email: 'ada.l@example.com', Discount: 15, Lines: lines });
    first = task;

    await signIn(page, ANALYST);
    const card = page.locator('.card').filter({ hasText: 'Open tasks' });
    expect(await text(page, '.cards .card:has-text("Open tasks") .card-value')).toBe('1');
    // The nav counts it too: a badge, and "(1 open)" in the link's name.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tasks (1 open)', exact: true }).waitFor();
    expect(await text(page, 'nav.sections .nav-count')).toBe('1');

    await card.getByRole('link', { name: 'Decide them' }).click();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    expect(await page.getByRole('tab', { name: 'Open' }).getAttribute('aria-selected')).toBe('true');
    const row = page.locator(`table.tasks tr[data-task="${task.id}"]`);
    const listed = (await row.innerText()).replace(/\s+/g, ' ');
    expect(listed).toContain(TITLE);
    expect(listed).toContain('discount-approval');
    expect(listed).toContain(`in 3 days (${await shown(task.dueAt!)})`);
    expect(listed).toContain(`(${await shown(task.createdAt)})`);
    expect(await page.locator('table.tasks tbody tr').count()).toBe(1);

    // The row's instance shows what it waits for, with a link to this task.
    await row.getByRole('link', { name: `instance ${instance.id} of ${TITLE}`, exact: true }).click();
    await page.getByRole('heading', { name: 'Instance of discount-approval' }).waitFor();
    expect(page.url()).toBe(`${hookflow.url}/console/t/${tenantId}/instances/${instance.id}`);
    // The link names the task once the instance's tasks are read (until then it leads to the instance's tasks in the inbox).
    const toTask = page.locator('[data-testid="waits"]').getByRole('link', { name: 'open the task' });
    await toTask.waitFor();
    expect(await text(page, '[data-testid="waits"]')).toBe(
      `What it waits for waits for approval: ${TITLE} until ${await shown(task.dueAt!)} at step approve — open the task`,
    );
    await toTask.click();

    await page.getByRole('heading', { name: TITLE, level: 2 }).waitFor();
    expect(page.url()).toBe(`${hookflow.url}/console/t/${tenantId}/tasks/${task.id}`);
    expect(await text(page, 'section.task .title-row .badge')).toBe('open');
    expect(await details(page)).toEqual({ customer: 'Ada Lovelace', discount: '15', lines: JSON.stringify(lines) });
    const facts = await text(page, 'section.task dl.facts');
    expect(facts).toContain('Process discount-approval, step approve');
    expect(facts).toContain(`Instance instance ${instance.id}`);
    expect(facts).toContain(`Due in 3 days (${await shown(task.dueAt!)})`);
    expect(await page.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Reject' }).isEnabled()).toBe(true);
    expect(await page.getByRole('row').filter({ hasText: TITLE }).getAttribute('class')).toContain('selected-row');
  });

  it('a viewer sees the open task and its details, but no Approve or Reject', async () => {
    await signIn(viewerPage, VIEWER);
    expect(await text(viewerPage, '.who')).toContain('viewer');
    expect(await text(viewerPage, '.cards .card:has-text("Open tasks") .card-value')).toBe('1');
    await openTask(viewerPage, first.id);
    expect(await details(viewerPage)).toMatchObject({ customer: 'Ada Lovelace', discount: '15' });
    await viewerPage.getByText('Your role reads tasks; analysts approve or reject them.').waitFor();
    expect(await viewerPage.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: 'Reject' }).count()).toBe(0);
    expect(await viewerPage.getByLabel('Comment').count()).toBe(0);
    expect((await hookflow.get(TasksService).get(tenantId, first.id)).status).toBe('open');
  });

  it('the analyst approves with a comment: the screen says who decided, and the instance completes on the approved branch', async () => {
    await page.getByLabel('Comment').fill('Loyal customer');
    await page.getByRole('button', { name: 'Approve' }).click();
    const note = page.getByRole('status').filter({ hasText: `Approved by ${ANALYST.email} at ` });
    await note.waitFor();
    await page.locator('section.task .title-row .badge').filter({ hasText: 'approved' }).waitFor();
    const decided = await hookflow.get(TasksService).get(tenantId, first.id);
    expect(decided).toMatchObject({ status: 'approved', decidedBy: ANALYST.email, comment: 'Loyal customer' });
    expect(await note.innerText()).toBe(`Approved by ${ANALYST.email} at ${await shown(decided.decidedAt!)}.`);
    const facts = await text(page, 'section.task dl.facts');
    expect(facts).toContain(`Decided approved by ${ANALYST.email} at ${await shown(decided.decidedAt!)}`);
    expect(facts).toContain('Comment Loyal customer');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByLabel('Comment').count()).toBe(0);
    // The list under it was read again: nothing is open, and the nav no longer counts it.
    await page.getByText('No open tasks.').waitFor();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tasks', exact: true }).waitFor();

    // The tabs work from the keyboard: right of Open is Approved.
    await page.getByRole('tab', { name: 'Open' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Approved' }).getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toBe(`${hookflow.url}/console/t/${tenantId}/tasks/${first.id}?status=approved`);
    const row = page.locator(`table.tasks tr[data-task="${first.id}"]`);
    expect((await row.innerText()).replace(/\s+/g, ' ')).toContain(`by ${ANALYST.email}, `);

    await page
      .locator('section.task dl.facts')
      .getByRole('link', { name: `instance ${first.instanceId}` })
      .click();
    await page.getByRole('heading', { name: 'Instance of discount-approval' }).waitFor();
    // The screen reads the instance again while it runs, until it has finished.
    await page.locator('.title-row .badge').filter({ hasText: 'completed' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="waits"]').count()).toBe(0);
    const steps = await Promise.all(
      (await page.locator('table.timeline tbody tr').all()).map(async (tr) => (await tr.locator('td').allInnerTexts()).map((cell) => cell.trim())),
    );
    expect(steps.map((cells) => cells.slice(1, 4))).toEqual([
      ['lead', 'create-record', 'ok'],
      ['approve', 'wait-for-approval', 'waiting'],
      ['approve', 'wait-for-approval', 'ok'],
      ['decided', 'switch', 'ok'],
      ['yes', 'create-record', 'ok'],
    ]);
    expect(steps[2][5]).toContain(`"decision":"approved","by":"${ANALYST.email}"`);
    await page.locator('dl.facts').getByText(`${TITLE} approved by ${ANALYST.email}`).waitFor();
    expect((await instances().get(tenantId, first.instanceId)).status).toBe('completed');
    expect(await leads()).toEqual(['Ada Lovelace', `Approved by ${ANALYST.email}: Loyal customer`]);
  });

  it("shows the server's message when a colleague decided the task meanwhile, then the colleague's decision", async () => {
    const { instance, task } = await request({ Name: 'Bob', Discount: 40 });
    const listed = await openTask(page, task.id);
    expect(listed).toContain(TITLE);
    expect(await details(page)).toEqual({ customer: 'Bob', discount: '40' });
    // The colleague rejects it while this page still shows it open.
    await hookflow.get(ApprovalTasks).decide(tenantId, task.id, 'rejected', COLLEAGUE, 'Too much');
    expect(await text(page, 'section.task .title-row .badge')).toBe('open');

    await page.getByLabel('Comment').fill('Fine by me');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: `Task ${task.id} is rejected by ${COLLEAGUE} already` })
      .waitFor();
    await page.locator('section.task .title-row .badge').filter({ hasText: 'rejected' }).waitFor();
    const facts = await text(page, 'section.task dl.facts');
    expect(facts).toContain(`Decided rejected by ${COLLEAGUE} at `);
    expect(facts).toContain('Comment Too much');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'Approved by' }).count()).toBe(0);
    await ended(instance.id);
    expect(await leads()).toContain(`Rejected by ${COLLEAGUE}`);
    expect(await leads()).not.toContain(`Approved by ${ANALYST.email}: Fine by me`);
  });

  it('the analyst rejects without a comment; the instance takes the rejected branch', async () => {
    const { instance, task } = await request({ Name: 'Cy', Discount: 90 });
    await openTask(page, task.id);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Rejected by ${ANALYST.email} at ` })
      .waitFor();
    await page.locator('section.task .title-row .badge').filter({ hasText: 'rejected' }).waitFor();
    expect(await text(page, 'section.task dl.facts')).toContain('Comment none');
    await ended(instance.id);
    expect(await leads()).toContain(`Rejected by ${ANALYST.email}`);

    await page.getByRole('tab', { name: 'Rejected' }).click();
    await page.locator(`table.tasks tr[data-task="${task.id}"]`).waitFor();
    const rows = (await page.locator('table.tasks tbody tr').allInnerTexts()).map((row) => row.replace(/\s+/g, ' '));
    // Newest first: Cy's (rejected here), then Bob's (by the colleague).
    expect(rows).toEqual([expect.stringContaining(`by ${ANALYST.email}, `), expect.stringContaining(`by ${COLLEAGUE}, `)]);
    // The viewer's inbox, read again, shows the decisions too.
    await tasksLink(viewerPage).click();
    await viewerPage.getByRole('tab', { name: 'Rejected' }).click();
    await viewerPage.locator(`table.tasks tr[data-task="${task.id}"]`).waitFor();
    expect(await viewerPage.locator('table.tasks tbody tr').count()).toBe(2);
  });

  it('fits a narrow window and loads nothing from elsewhere', async () => {
    const { task } = await request({ Name: 'Dee', Discount: 5 });
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await openTask(page, task.id);
    expect(await overflow()).toBeLessThanOrEqual(1);
    expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Comment').isVisible()).toBe(true);
    // Dee's task came in while the analyst was in the inbox: reading the inbox again counted it in the nav.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tasks (1 open)', exact: true }).waitFor();
    expect(await tasksLink(page).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Close the task' }).click();
    await page.locator('section.task').waitFor({ state: 'detached' });
    expect(page.url()).toBe(`${hookflow.url}/console/t/${tenantId}/tasks`);
    expect(await overflow()).toBeLessThanOrEqual(1);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
