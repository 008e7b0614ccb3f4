import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { openConsole, screenshot, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * An analyst changes the shipped default process in the Designer without JSON: a condition
 * inserted on a flow, a stop on its "then" branch, its expression typed in the panel; the changes
 * against the base shown on the diagram; the override saved and run. In a real browser against
 * the service on its own SQLite file, serving the built console. Two tenants: the one whose
 * process changes (Acme) and one whose process stays the base (Globex).
 */
const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const DEFAULT_PROCESS = 'create-object-records-from-webhook';
const TEST_FLAG = '$exists(test) and test = true';
const example = JSON.parse(readFileSync(new URL('./fixtures/creatio-example.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('overriding the default process in the designer, without JSON', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let acme: { tenantId: string; apiKey: string };
  let globex: { tenantId: string; apiKey: string };
  const pageErrors: string[] = [];

  const processes = () => hookflow.get(ProcessesService);
  const shape = (id: string) => page.locator(`.designer-canvas .djs-element[data-element-id="${id}"]`);
  const panel = () => page.getByRole('complementary', { name: 'Selected element' });

  /** Clicks a flow on its line: the middle of its bounding box is off the line when the flow bends. */
  async function clickFlow(id: string, where: 'middle' | 'top'): Promise<void> {
    const box = (await shape(id).boundingBox())!;
    // diagram-js draws a 15 px wide hit area along the line, which the box includes.
    await page.mouse.click(box.x + box.width / 2, where === 'top' ? box.y + 7 : box.y + box.height / 2);
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    acme = await hookflow.newTenant('Acme');
    globex = await hookflow.newTenant('Globex');
    await hookflow.get(UsersService).create(ANALYST.email, ANALYST.password, { tenantId: acme.tenantId, role: 'analyst' });
    ({ browser, page } = await openConsole(hookflow.url, { width: 1280, height: 900 }, { pageErrors }));
    await signIn(page, hookflow.url, ANALYST);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it('inserts a condition after the start whose "then" branch stops test submissions, sees it marked as added, saves the override, and it runs', async () => {
    await page.goto(`${hookflow.url}/console/t/${acme.tenantId}/processes/${DEFAULT_PROCESS}`);
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape('object').waitFor();
    const objectBefore = (await shape('object').boundingBox())!;

    // The flow out of the start event: a condition inserted there, from the registered step types.
    await clickFlow('Flow-Start-process', 'middle');
    expect(await panel().getByTestId('flow-role').innerText()).toBe('From Start-process to object.');
    const insert = panel().getByLabel('Insert a step here');
    const offered = await insert.locator('option').allInnerTexts();
    expect(offered.some((text) => text.startsWith('create-record — '))).toBe(true);
    // A stop here would leave the steps after it unreachable: it is offered only where a branch ends.
    expect(await insert.locator('option[value="stop"]').isDisabled()).toBe(true);
    await insert.selectOption('condition');
    await panel().getByRole('button', { name: 'Insert', exact: true }).click();

    // The new gateway is selected; its "if" is the expression of its "then" flow, typed in the panel.
    await shape('condition').waitFor();
    await shape('condition-join').waitFor();
    await panel()
      .getByTestId('selected-element')
      .locator('code', { hasText: /^condition$/ })
      .first()
      .waitFor();
    const condition = panel().getByLabel('if (condition)');
    await condition.fill(TEST_FLAG);
    await condition.press('Tab');
    await page.getByText('unsaved changes').waitFor();
    // What followed moved right to make room.
    expect((await shape('object').boundingBox())!.x).toBeGreaterThan(objectBefore.x + 100);

    // Its "then" flow (named in the panel) takes a stop: it ends that branch at the join.
    const about = await panel().locator('#if-condition-about').innerText();
    const thenFlow = /\((Flow_[A-Za-z0-9_]+)\)/.exec(about)![1];
    await clickFlow(thenFlow, 'top');
    await panel().getByText('the "then" flow of the condition', { exact: false }).waitFor();
    expect(await panel().getByLabel('Condition expression').inputValue()).toBe(TEST_FLAG);
    expect(await panel().getByRole('button', { name: 'Make this the default flow' }).isVisible()).toBe(true);
    await panel().getByLabel('Insert a step here').selectOption('stop');
    await panel().getByRole('button', { name: 'Insert', exact: true }).click();
    await shape('stop').waitFor();
    await panel().getByLabel('Name', { exact: true }).fill('Stop test submissions');
    await panel().getByLabel('Name', { exact: true }).press('Tab');

    // The changes against the base, in the current (unsaved) diagram: marked, with a legend and in words.
    await page.getByRole('switch', { name: 'Show changes against base' }).check();
    const summary = page.getByTestId('changes-summary');
    await summary.filter({ hasText: 'Against the base, added: condition, stop "Stop test submissions".' }).waitFor();
    for (const id of ['condition', 'stop', 'condition-join']) expect(await shape(id).getAttribute('class')).toContain('hf-added');
    expect(await shape('object').getAttribute('class')).not.toContain('hf-added');
    expect(await page.locator('.hf-change-badge[data-element="condition"]').innerText()).toBe('added');
    expect(await page.locator('.designer-changes-legend').innerText()).toContain('added');
    await screenshot(page, 'designer-diff');

    await page.getByRole('button', { name: 'Save override' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2 (override).' }).waitFor();
    // Read again from the saved version, the diagram is still compared and marked.
    await summary.filter({ hasText: 'added: condition, stop' }).waitFor();
    expect(pageErrors).toEqual([]);

    const saved = await processes().get(acme.tenantId, DEFAULT_PROCESS);
    expect(saved).toMatchObject({ source: 'override', version: 2 });
    expect(saved.definition.steps.map((step) => step.id)).toEqual(['condition', 'object', 'fields', 'record']);
    expect(saved.definition.steps[0]).toEqual({
      id: 'condition',
      type: 'condition',
      input: { if: TEST_FLAG },
      then: [{ id: 'stop', type: 'stop', description: 'Stop test submissions' }],
    });
    const other = await processes().get(globex.tenantId, DEFAULT_PROCESS);
    expect(other).toMatchObject({ source: 'base', version: 1 });
    expect(other.definition.steps.map((step) => step.id)).toEqual(['object', 'fields', 'record']);

    // A test submission stops before any record; a real one still creates its Lead.
    const test = await hookflow.deliver(acme.tenantId, acme.apiKey, { ...example, test: true });
    expect(test.status).toBe('processed');
    expect(await hookflow.records(acme.tenantId, 'Lead')).toEqual([]);
    const real = await hookflow.deliver(acme.tenantId, acme.apiKey, example);
    expect(real.status).toBe('processed');
    expect(await hookflow.records(acme.tenantId, 'Lead')).toHaveLength(1);
    // The other tenant's base process creates a Lead for a test submission too.
    await hookflow.deliver(globex.tenantId, globex.apiKey, { ...example, test: true });
    expect(await hookflow.records(globex.tenantId, 'Lead')).toHaveLength(1);
  }, 60_000);

  it("edits a task's name and retry in the panel, marked as changed; Ctrl+Z takes an inserted step back at once; the save keeps the edits", async () => {
    await shape('record').click();
    const name = panel().getByLabel('Name', { exact: true });
    await name.fill('Create the record');
    await name.press('Tab');
    const retry = panel().getByRole('group', { name: 'Retry' });
    await retry.getByLabel('attempts').fill('3');
    await retry.getByLabel('attempts').press('Tab');
    await retry.getByLabel('delay', { exact: true }).fill('PT30S');
    await retry.getByLabel('delay', { exact: true }).press('Tab');
    const summary = page.getByTestId('changes-summary');
    await summary.filter({ hasText: 'changed: record (description, retry)' }).waitFor();
    expect(await shape('record').getAttribute('class')).toContain('hf-changed');
    expect(await page.locator('.hf-change-badge[data-element="record"]').innerText()).toBe('changed');

    await clickFlow('Flow-fields', 'middle');
    await panel().getByLabel('Insert a step here').selectOption('http-request');
    await panel().getByRole('button', { name: 'Insert', exact: true }).click();
    await shape('httpRequest').waitFor();
    await summary.filter({ hasText: 'added: condition, stop "Stop test submissions", httpRequest;' }).waitFor();
    await page.locator('.designer-canvas svg[tabindex]').first().focus();
    await page.keyboard.press('Control+z');
    await shape('httpRequest').waitFor({ state: 'detached' });
    await summary.filter({ hasText: 'Against the base, added: condition, stop "Stop test submissions"; changed: record (description, retry).' }).waitFor();

    await page.getByRole('button', { name: 'Save override' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 3 (override).' }).waitFor();
    const saved = await processes().get(acme.tenantId, DEFAULT_PROCESS);
    expect(saved.definition.steps.map((step) => step.id)).toEqual(['condition', 'object', 'fields', 'record']);
    expect(saved.definition.steps[3]).toMatchObject({ description: 'Create the record', retry: { attempts: 3, delay: 'PT30S' } });
    expect(pageErrors).toEqual([]);
  });

  it('a condition\'s flows say their branch, edit its expression, and swap with "Make this the default flow" (Ctrl+Z swaps back)', async () => {
    await page.goto(`${hookflow.url}/console/t/${acme.tenantId}/processes/lead-order-follow-up`);
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape('ordered').click();
    expect(await panel().getByLabel('if (condition)').inputValue()).toBe('$steps.order.timedOut');
    // The copy of the `if` in the step's input is no property of the form: the field above edits it.
    expect(await panel().getByRole('form', { name: 'Step input' }).getByText('Not in the schema', { exact: false }).count()).toBe(0);

    // A flow's label selects the flow, like the flow itself.
    await shape('Flow-ordered-else_label').click();
    await panel().getByText('the "else" flow of the condition, its default flow', { exact: false }).waitFor();
    expect(await panel().getByRole('button', { name: 'Make this the default flow' }).count()).toBe(0);
    await shape('Flow-ordered-then_label').click();
    const expression = panel().getByLabel('Condition expression');
    expect(await expression.inputValue()).toBe('$steps.order.timedOut');
    await expression.fill('$steps.order.timedOut = true');
    await expression.press('Tab');
    await panel().getByRole('button', { name: 'Make this the default flow' }).click();
    // The expression went with the "then" role to the other flow: the condition keeps its "if".
    await panel().getByText('the "else" flow of the condition, its default flow', { exact: false }).waitFor();
    await shape('ordered').click();
    expect(await panel().getByLabel('if (condition)').inputValue()).toBe('$steps.order.timedOut = true');
    expect(await panel().locator('#if-ordered-about').innerText()).toContain('(Flow-ordered-else)');

    await page.locator('.designer-canvas svg[tabindex]').first().focus();
    await page.keyboard.press('Control+z');
    // The gateway is still selected: the panel follows the undone change.
    await panel().locator('#if-ordered-about', { hasText: '(Flow-ordered-then)' }).waitFor();
    expect(await panel().getByLabel('if (condition)').inputValue()).toBe('$steps.order.timedOut = true');
    expect(pageErrors).toEqual([]);
  });

  it('selects an element and inserts a step from the keyboard alone, through the element select', async () => {
    await page.goto(`${hookflow.url}/console/t/${acme.tenantId}/processes/upsert-contact-by-email`);
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape('contact').waitFor();
    const select = page.getByLabel('Select an element');
    expect(await select.locator('option[value="Flow-Start-process"]').count()).toBe(1);
    await select.focus();
    // Arrow keys move through the elements; each one chosen is selected in the canvas and shown in the panel.
    await page.keyboard.press('ArrowDown');
    const first = await select.inputValue();
    expect(first).not.toBe('');
    await panel()
      .getByTestId('selected-element')
      .locator('code', { hasText: new RegExp(`^${first}$`) })
      .first()
      .waitFor();
    await select.selectOption('Flow-Start-process');
    await panel().getByTestId('flow-role').filter({ hasText: 'From Start-process to contact.' }).waitFor();
    const insert = panel().getByLabel('Insert a step here');
    await insert.focus();
    await insert.selectOption('set-variable');
    await panel().getByRole('button', { name: 'Insert', exact: true }).focus();
    await page.keyboard.press('Enter');
    await shape('setVariable').waitFor();
    expect(await select.inputValue()).toBe('setVariable');
    await page.getByText('unsaved changes').waitFor();
  });
});
