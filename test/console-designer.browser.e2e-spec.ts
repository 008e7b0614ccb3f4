import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { ProcessBpmn } from '../src/engine/process-bpmn.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { CHROMIUM_ARGS, chromiumExecutable, screenshot, signIn as signInAs } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * The Designer tab of a process in a real browser (headless Chromium: see support/browser.ts)
 * against the service in this process on its own SQLite file, which serves the built console
 * (`npm run build:console`). One tenant with the shipped processes; an analyst and a viewer. The
 * tests run in order: the first save makes the default process an override (version 2).
 * With SCREENSHOTS=1 (`npm run screenshots`) the designer is saved in docs/screenshots.
 */
// Code passed to page.evaluate runs in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const window: any;

const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const VIEWER = { email: 'victor@example.com', password: 'viewer passphrase 1' };
const DEFAULT_PROCESS = 'create-object-records-from-webhook';
const FOLLOW_UP = 'lead-order-follow-up';
/** The chunk Vite makes of the designer (bpmn-js and the view around it). */
const DESIGNER_CHUNK = /\/console\/assets\/designer-view-[^/]*\.js$/;

/** A shape's place on the diagram as its SVG element is drawn (diagram-js translates each shape's group). */
interface DrawnShape {
  transform: { baseVal: { consolidate(): { matrix: { e: number; f: number } } } };
}

describe('the process designer in the console', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  const requests: string[] = [];
  const external: string[] = [];
  const pageErrors: string[] = [];

  const processes = () => hookflow.get(ProcessesService);

  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const opened = await (await browser.newContext({ viewport, acceptDownloads: true })).newPage();
    opened.setDefaultTimeout(10_000);
    opened.on('request', (request) => {
      requests.push(request.url());
      if (!request.url().startsWith(hookflow.url)) external.push(request.url());
    });
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    return opened;
  }

  const signIn = (on: Page, user: { email: string; password: string }) => signInAs(on, hookflow.url, user);

  /** A process's page, on its Steps tab (the designer not opened yet). */
  async function openProcess(on: Page, processId: string): Promise<void> {
    await on.goto(`${hookflow.url}/console/t/${tenantId}/processes/${processId}`);
    await on.getByRole('tab', { name: 'Steps' }).waitFor();
  }

  /** Opens the Designer tab and waits until the diagram shows the element. */
  async function openDesigner(on: Page, processId: string, shown: string): Promise<void> {
    await openProcess(on, processId);
    await on.getByRole('tab', { name: 'Designer' }).click();
    await shape(on, shown).waitFor();
  }

  const shape = (on: Page, id: string) => on.locator(`.designer-canvas .djs-element[data-element-id="${id}"]`);

  async function position(on: Page, id: string): Promise<{ x: number; y: number }> {
    return shape(on, id).evaluate((element) => {
      const { e, f } = (element as unknown as DrawnShape).transform.baseVal.consolidate().matrix;
      return { x: e, y: f };
    });
  }

  /** Saves the diagram and waits for the note with the version it was saved as. */
  async function save(on: Page, version: number, source = 'override'): Promise<void> {
    await on.getByRole('button', { name: /^Save (override|new version)$/ }).click();
    await on
      .getByRole('status')
      .filter({ hasText: `Saved as version ${version} (${source}).` })
      .waitFor();
  }

  async function importDiagram(on: Page, name: string, xml: string): Promise<void> {
    const [chooser] = await Promise.all([on.waitForEvent('filechooser'), on.getByRole('button', { name: 'Import .bpmn…' }).click()]);
    await chooser.setFiles({ name, mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await on
      .getByRole('status')
      .filter({ hasText: `${name} is shown as a draft: Save stores it.` })
      .waitFor();
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId } = await hookflow.newTenant('Acme'));
    const users = hookflow.get(UsersService);
    await users.create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });
    await users.create(VIEWER.email, VIEWER.password, { tenantId, role: 'viewer' });
    browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    page = await newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it("loads bpmn-js only with the Designer tab: the console's entry does not hold it", async () => {
    const index = await (await fetch(`${hookflow.url}/console/`)).text();
    const linked = [...index.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, link]) => link).filter((link) => link.startsWith('/console/'));
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.filter((link) => /designer|bpmn/.test(link))).toEqual([]);
    for (const link of linked.filter((candidate) => candidate.endsWith('.js'))) {
      // diagram-js's container class: in bpmn-js's code and CSS, nowhere in the console's own.
      expect(await (await fetch(`${hookflow.url}${link}`)).text()).not.toContain('djs-container');
    }

    await signIn(page, ANALYST);
    await openProcess(page, DEFAULT_PROCESS);
    expect(requests.filter((url) => DESIGNER_CHUNK.test(url))).toEqual([]);
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape(page, 'object').waitFor();
    expect(requests.filter((url) => DESIGNER_CHUNK.test(url))).toHaveLength(1);
    // Its CSS and the icon font of the palette come from the service too.
    expect(requests.filter((url) => /\/console\/assets\/.*\.css$/.test(url)).length).toBeGreaterThan(0);
    await page.locator('.djs-palette .entry').first().waitFor();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a FontFace, of the DOM's types
    await page.waitForFunction(() => [...document.fonts].some((font: any) => font.family.replace(/"/g, '') === 'bpmn' && font.status === 'loaded'));
    const fonts = requests.filter((url) => /\/console\/assets\/bpmn-[^/]*\.(woff2?|ttf|eot|svg)(\?|$)/.test(url));
    expect(fonts.length).toBeGreaterThan(0);
    expect((await fetch(fonts[0])).headers.get('content-type')).toMatch(/^(font\/|image\/svg)/);
    expect(external).toEqual([]);
  });

  it('an analyst moves a task and saves: the process is an override whose diagram keeps the place, shown there when opened again', async () => {
    for (const id of ['Start-process', 'object', 'fields', 'record', 'End-process']) expect(await shape(page, id).count()).toBe(1);
    // The tab, then the designer's buttons, are reached with Tab.
    await page.getByRole('tab', { name: 'Designer' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.textContent)).toBe('Save override');

    const before = await position(page, 'fields');
    const box = (await shape(page, 'fields').boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 10, y + 40, { steps: 5 });
    await page.mouse.move(x, y + 150, { steps: 10 });
    await page.mouse.up();
    const moved = await position(page, 'fields');
    expect(moved.y).toBeGreaterThan(before.y + 40);
    await page.getByText('unsaved changes').waitFor();

    await save(page, 2);
    const saved = await processes().get(tenantId, DEFAULT_PROCESS);
    expect(saved).toMatchObject({ source: 'override', version: 2 });
    expect(saved.definition.diagram?.shapes?.fields).toMatchObject({ x: moved.x, y: moved.y });
    // The header shows the new version; the steps are what they were.
    await page.locator('.title-row .badge').filter({ hasText: 'v2' }).waitFor();
    expect(saved.definition.steps.map((step) => step.id)).toEqual(['object', 'fields', 'record']);

    await page.reload();
    await page.getByRole('tab', { name: 'Steps' }).waitFor();
    await page.getByRole('tab', { name: 'Designer' }).click();
    await shape(page, 'fields').waitFor();
    expect(await position(page, 'fields')).toEqual(moved);

    // The side panel shows the selected task's step, its input in a form made from the step type's schema.
    await shape(page, 'record').click();
    const panel = page.getByRole('complementary', { name: 'Selected element' });
    await panel.getByText('create-record', { exact: true }).waitFor();
    const facts = (await panel.locator('dl').innerText()).replace(/\s+/g, ' ');
    expect(facts).toContain('Id record');
    expect(facts).toContain('BPMN element ServiceTask');
    expect(saved.definition.steps[2].input).toEqual({ objectFrom: '$steps.object.name', valuesFrom: '$steps.fields' });
    expect(await panel.getByLabel('objectFrom', { exact: true }).inputValue()).toBe('$steps.object.name');
    expect(await panel.getByLabel('valuesFrom', { exact: true }).inputValue()).toBe('$steps.fields');
    expect(await panel.getByLabel('object', { exact: true }).inputValue()).toBe('');
    await screenshot(page, 'designer');
  });

  it('an element the engine cannot run is marked on the diagram and listed; nothing is saved', async () => {
    const before = await processes().get(tenantId, FOLLOW_UP);
    const exported = await hookflow.get(ProcessBpmn).export(tenantId, FOLLOW_UP);
    const inclusive = exported.replace(
      /<bpmn:exclusiveGateway id="ordered"([\s\S]*?)<\/bpmn:exclusiveGateway>/,
      '<bpmn:inclusiveGateway id="ordered"$1</bpmn:inclusiveGateway>',
    );
    expect(inclusive).toContain('<bpmn:inclusiveGateway id="ordered"');
    await openDesigner(page, FOLLOW_UP, 'ordered');
    await importDiagram(page, 'inclusive.bpmn', inclusive);
    await page.getByRole('button', { name: 'Save override' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await alert.waitFor();
    expect(await shape(page, 'ordered').getAttribute('class')).toContain('hf-problem');
    const item = alert.locator('li[data-element="ordered"]');
    expect(await item.innerText()).toContain('an inclusive gateway takes any number of its paths at once');
    await item.getByRole('button').click();
    await page.getByTestId('selected-element').getByText('InclusiveGateway').waitFor();
    expect(await page.getByLabel('Select an element').inputValue()).toBe('ordered');
    expect(await processes().get(tenantId, FOLLOW_UP)).toMatchObject({ version: before.version });
    await screenshot(page, 'designer-problem');
    // The button gave the canvas the focus, with the element selected: bpmn-js's keys act on it.
    expect(await page.evaluate(() => document.activeElement?.closest('.designer-canvas') !== null)).toBe(true);
    await page.keyboard.press('Delete');
    await shape(page, 'ordered').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+z');
    await shape(page, 'ordered').waitFor();
  });

  it('a problem the engine finds on saving (an unknown step type) is marked on its element too', async () => {
    const before = await processes().get(tenantId, FOLLOW_UP);
    const exported = await hookflow.get(ProcessBpmn).export(tenantId, FOLLOW_UP);
    const unknown = exported.replace('<hookflow:step type="http-request">', '<hookflow:step type="no-such-step">');
    expect(unknown).not.toBe(exported);
    await openDesigner(page, FOLLOW_UP, 'crmTask');
    await importDiagram(page, 'unknown-step.bpmn', unknown);
    await page.getByRole('button', { name: 'Save override' }).click();
    const item = page.getByRole('alert').filter({ hasText: 'Not saved' }).locator('li[data-element="crmTask"]');
    await item.waitFor();
    expect(await item.innerText()).toContain('no-such-step');
    expect(await shape(page, 'crmTask').getAttribute('class')).toContain('hf-problem');
    expect(await processes().get(tenantId, FOLLOW_UP)).toMatchObject({ version: before.version });
  });

  it('a viewer sees the diagram, but no Save or Import', async () => {
    const viewer = await newPage();
    await signIn(viewer, VIEWER);
    await openDesigner(viewer, FOLLOW_UP, 'ordered');
    expect(await shape(viewer, 'crmTask').isVisible()).toBe(true);
    expect(await viewer.getByRole('button', { name: /^Save/ }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^Import/ }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Export .bpmn' }).isVisible()).toBe(true);
    await viewer.getByText('Your role reads processes; analysts change and save the diagram.').waitFor();
    await viewer.context().close();
  });

  it('fits a narrow window: the panel below the canvas, nothing wider than the window', async () => {
    const narrow = await newPage({ width: 420, height: 900 });
    await signIn(narrow, ANALYST);
    await openDesigner(narrow, DEFAULT_PROCESS, 'object');
    const canvas = (await narrow.locator('.designer-canvas').boundingBox())!;
    const panel = (await narrow.getByRole('complementary', { name: 'Selected element' }).boundingBox())!;
    expect(canvas.width).toBeGreaterThan(300);
    expect(canvas.height).toBeGreaterThan(300);
    expect(panel.y).toBeGreaterThanOrEqual(canvas.y + canvas.height);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await narrow.context().close();
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
