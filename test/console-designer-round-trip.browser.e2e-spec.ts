import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BpmnModdle } from 'bpmn-moddle';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import type { ProcessDefinition } from '../src/engine/definition-types.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { AdminApi } from './support/admin-client.js';
import { CHROMIUM_ARGS, chromiumExecutable, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * Export → import of every shipped process through the console's Designer, from one tenant into
 * another, in a real browser (headless Chromium: see support/browser.ts) against the service in
 * this process on its own SQLite file, serving the built console (`npm run build:console`).
 *
 * How a user has a shipped process: every file of processes/ (read here, so a new file is covered
 * without touching this test) is a base process, loaded by BaseDefinitions at start; the example
 * processes are base processes too, only switched off (`activeByDefault: false`). So every tenant
 * has every one of them already, and nothing is created first: the tenant of the export (A) and
 * the tenant of the import (B) both open the base process in the Designer. That is what an analyst
 * does to bring a process from one tenant into another: "Export .bpmn" in A, open the same process
 * in B, "Import .bpmn…" the downloaded file, "Save override". (A process that B did not have could
 * not be opened in B's Designer at all, and the console has no "new process" page; a custom
 * process would first have to be made through the API, where PUT …/bpmn saves the file directly,
 * as test/process-bpmn.e2e-spec.ts shows — no Designer involved.)
 *
 * What B then runs is compared through the admin API with what A runs: the definitions are the
 * same but for the two things a save legitimately sets: `version` (an override is the next
 * version of the base, 2) and `diagram` (the positions of the file, which the base has none of:
 * its diagram is laid out when drawn). The positions are checked too, another way: B's diagram,
 * drawn by the service from the positions it kept, is A's drawing (the same XML as A's export
 * but for the version).
 */

const ANALYST_A = { email: 'ada@example.com', password: 'analyst passphrase A' };
const ANALYST_B = { email: 'bob@example.com', password: 'analyst passphrase B' };
const PROCESSES_DIR = fileURLToPath(new URL('../processes', import.meta.url));
/** Every shipped process definition: the directory as BaseDefinitions.load reads it. */
const SHIPPED: ProcessDefinition[] = readdirSync(PROCESSES_DIR)
  .filter((file) => file.endsWith('.json') && file !== 'process.schema.json')
  .sort()
  .map((file) => JSON.parse(readFileSync(`${PROCESSES_DIR}/${file}`, 'utf8')) as ProcessDefinition);

/** The definition without what a save sets (its version) or a drawing adds (positions). */
function content(definition: ProcessDefinition): Omit<ProcessDefinition, 'version' | 'diagram'> {
  const { version: _version, diagram: _diagram, ...rest } = definition;
  return rest;
}

describe('export and import of every shipped process through the Designer, from one tenant into another', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;
  let browser: Browser;
  let tenantA: string;
  let tenantB: string;
  let pageA: Page;
  let pageB: Page;
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const opened = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
    opened.setDefaultTimeout(10_000);
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    return opened;
  }

  const processOf = async (tenantId: string, processId: string) => {
    const response = await admin.get(`/api/tenants/${tenantId}/processes/${processId}`);
    expect(response.status).toBe(200);
    return response.body as { id: string; source: string; version: number; active: boolean; definition: ProcessDefinition };
  };
  const bpmnOf = async (tenantId: string, processId: string) => (await admin.get(`/api/tenants/${tenantId}/processes/${processId}/bpmn`)).text;

  /** Opens the process's Designer tab and waits until the diagram is drawn (the start event). */
  async function openDesigner(on: Page, tenantId: string, processId: string): Promise<void> {
    await on.goto(`${hookflow.url}/console/t/${tenantId}/processes/${processId}`);
    await on.getByRole('tab', { name: 'Designer' }).click();
    await on.locator('.designer-canvas .djs-element[data-element-id="Start-process"]').waitFor();
  }

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, SERVICE_ENV);
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
    ({ tenantId: tenantA } = await hookflow.newTenant('Exporter'));
    ({ tenantId: tenantB } = await hookflow.newTenant('Importer'));
    const users = hookflow.get(UsersService);
    await users.create(ANALYST_A.email, ANALYST_A.password, { tenantId: tenantA, role: 'analyst' });
    await users.create(ANALYST_B.email, ANALYST_B.password, { tenantId: tenantB, role: 'analyst' });
    browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    [pageA, pageB] = await Promise.all([newPage(), newPage()]);
    await signIn(pageA, hookflow.url, ANALYST_A, 'Exporter');
    await signIn(pageB, hookflow.url, ANALYST_B, 'Importer');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it('every file of processes/ is a base process that both tenants have, as the file says', async () => {
    expect(SHIPPED.length).toBeGreaterThan(1);
    for (const tenantId of [tenantA, tenantB]) {
      const listed = (await admin.get(`/api/tenants/${tenantId}/processes`)).body as Array<{ id: string; source: string }>;
      expect(listed.map(({ id, source }) => ({ id, source })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        SHIPPED.map(({ id }) => ({ id, source: 'base' })).sort((a, b) => a.id.localeCompare(b.id)),
      );
    }
    for (const shipped of SHIPPED) expect((await processOf(tenantA, shipped.id)).definition).toEqual(shipped);
  });

  it.each(SHIPPED.map((definition) => [definition.id]))(
    '%s: "Export .bpmn" in tenant A, "Import .bpmn…" and "Save override" in tenant B give B the definition A runs',
    async (id) => {
      const before = await processOf(tenantA, id);
      const drawnInA = await bpmnOf(tenantA, id);

      await openDesigner(pageA, tenantA, id);
      const [download] = await Promise.all([pageA.waitForEvent('download'), pageA.getByRole('button', { name: 'Export .bpmn' }).click()]);
      expect(download.suggestedFilename()).toBe(`${id}.bpmn`);
      const xml = readFileSync((await download.path())!, 'utf8');

      // The downloaded file is BPMN that a tool knowing nothing of Hookflow reads without a warning.
      const { rootElement, warnings } = await new BpmnModdle().fromXML(xml);
      expect(warnings).toEqual([]);
      expect((rootElement as unknown as { rootElements: Array<{ $type: string; id: string }> }).rootElements).toContainEqual(
        expect.objectContaining({ $type: 'bpmn:Process', id }),
      );

      await openDesigner(pageB, tenantB, id);
      const [chooser] = await Promise.all([pageB.waitForEvent('filechooser'), pageB.getByRole('button', { name: 'Import .bpmn…' }).click()]);
      await chooser.setFiles({ name: download.suggestedFilename(), mimeType: 'application/xml', buffer: Buffer.from(xml) });
      await pageB
        .getByRole('status')
        .filter({ hasText: `${id}.bpmn is shown as a draft: Save stores it.` })
        .waitFor();
      await pageB.getByRole('button', { name: 'Save override' }).click();
      await pageB
        .getByRole('status')
        .filter({ hasText: `Saved as version ${before.version + 1} (override).` })
        .waitFor();

      const after = await processOf(tenantB, id);
      expect(after).toMatchObject({ id, source: 'override', version: before.version + 1, active: before.active });
      expect(content(after.definition)).toEqual(content(before.definition));
      expect(after.definition.version).toBe(before.version + 1);
      // The positions of the file are kept: B's diagram is drawn as A's was.
      expect(Object.keys(after.definition.diagram?.shapes ?? {}).length).toBeGreaterThan(0);
      expect(await bpmnOf(tenantB, id)).toBe(
        drawnInA.replace(`<hookflow:process version="${before.version}"`, `<hookflow:process version="${before.version + 1}"`),
      );
      // Exporting changed nothing in A.
      expect(await processOf(tenantA, id)).toMatchObject({ source: 'base', version: before.version });
    },
  );

  it('no page error in either tenant', () => {
    expect(pageErrors).toEqual([]);
  });
});
