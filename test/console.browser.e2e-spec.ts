import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { COLUMN_TYPES } from '../src/catalogue/column-types/index.js';
import { AdminApi, apiRequest, pollUntil, requestToken, sendWebhook, settledWebhook } from './support/admin-client.js';
import { CHROMIUM_ARGS, chromiumExecutable, screenshot } from './support/browser.js';
import { cliJson } from './support/cli.mjs';
import { forwardingProcess, startExternalSystem } from './support/external-system.js';
import { freePort } from './support/redis-server.mjs';

/**
 * The web console in a real browser (headless Chromium: see support/browser.ts) against the built service
 * (`node dist/main.js`, as `npm start` runs it) on its own SQLite file. One browser for the
 * file; the tests follow one analyst's afternoon, so they run in order.
 * With SCREENSHOTS=1 (`npm run screenshots`) the main screens are saved in docs/screenshots.
 */
// Code passed to page.evaluate runs in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the DOM's types are not in this compilation
declare const window: any;

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ADMIN = { id: 'browser-admin', secret: 'browser-admin-secret-0123456789' };
const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const VIEWER = { email: 'victor@example.com', password: 'viewer passphrase 1' };
const OPERATOR = { email: 'olga@example.com', password: 'operator passphrase 1' };
const PROCESS = 'create-object-records-from-webhook';
const PROCESS_NAME = 'Create object records based on incoming webhook';

describe('web console in a browser', () => {
  let dir: string;
  let service: ChildProcess;
  let serviceOutput = '';
  let url: string;
  let context: BrowserContext;
  let page: Page;
  let admin: AdminApi;
  let tenantId: string;
  let apiKey: string;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;
  const external: string[] = [];
  const pageErrors: string[] = [];

  async function open(section: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section, exact: true }).click();
  }

  async function text(selector: string): Promise<string> {
    return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ');
  }

  /** Reloads until the page shows the text (the worker finishes in the background). */
  async function reloadUntilVisible(what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await page.getByText(what).first().isVisible()) return;
      if (Date.now() > deadline) throw new Error(`"${what}" not shown after ${timeoutMs} ms`);
      await page.waitForTimeout(200);
      await page.reload();
      await page.locator('main h1').first().waitFor();
    }
  }

  /** Replays one webhook from the open log, waits until it is processed and opens it there. */
  async function replayFromLog(id: string, shown: string): Promise<void> {
    await page.locator(`tr[data-webhook="${id}"]`).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay 1 selected' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed 1 of 1.' }).waitFor();
    await settledWebhook(admin, tenantId, id, (detail) => detail.status === 'processed');
    await page.getByLabel('Status').selectOption('');
    await page.locator(`tr[data-webhook="${id}"]`).getByRole('link').click();
    await reloadUntilVisible(shown);
    expect(await text('.title-row')).toContain('processed');
  }

  async function signIn(user: { email: string; password: string }): Promise<void> {
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-console-'));
    // The CRM a custom process forwards to; down for maintenance until a test brings it back.
    crm = await startExternalSystem({ '/contacts': [[503, { error: 'maintenance' }]] });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: `sqlite:${join(dir, 'hookflow.sqlite')}`,
      REDIS_URL: process.env.REDIS_URL ?? '',
      REDIS_PREFIX: `browser-${randomBytes(6).toString('hex')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: url,
      ADMIN_CLIENT_ID: ADMIN.id,
      ADMIN_CLIENT_SECRET: ADMIN.secret,
      PROCESS_CACHE_MS: '0',
      API_KEY_CACHE_MS: '0',
      JOB_BACKOFF_MS: '20',
      DRIFT_FLUSH_MS: '100',
      // Five attempts, so a CRM down for all of them leaves the webhook failed within the test.
      JOB_ATTEMPTS: '5',
      // The CRM above listens on loopback.
      HTTP_ALLOW_PRIVATE_NETWORKS: 'true',
    };
    const cli = { DATABASE_URL: env.DATABASE_URL };
    tenantId = (await cliJson<{ id: string }>(['tenant', 'create', 'Acme'], cli)).id;
    apiKey = (await cliJson<{ apiKey: string }>(['apikey', 'create', '--tenant', tenantId, '--name', 'Landing page'], cli)).apiKey;
    await cliJson(['user', 'create', ANALYST.email, '--password-stdin', '--tenant', tenantId, '--role', 'analyst'], cli, ANALYST.password);
    await cliJson(['user', 'create', VIEWER.email, '--password-stdin', '--tenant', tenantId, '--role', 'viewer'], cli, VIEWER.password);
    await cliJson(['user', 'create', OPERATOR.email, '--password-stdin', '--platform-admin'], cli, OPERATOR.password);

    service = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout!.on('data', (chunk) => (serviceOutput += chunk));
    service.stderr!.on('data', (chunk) => (serviceOutput += chunk));
    await pollUntil(
      () =>
        apiRequest(url, 'GET', '/health/live').then(
          (response) => response.status,
          () => 0,
        ),
      (status) => status === 200,
      20_000,
      `the service on ${url} (${serviceOutput.slice(-500)})`,
    );
    admin = await AdminApi.login(url, ADMIN.id, ADMIN.secret);

    context = await chromium.launchPersistentContext(join(dir, 'browser'), {
      executablePath: await chromiumExecutable(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 860 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      if (!request.url().startsWith(url)) external.push(request.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await crm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password, then signs the analyst in to the dashboard', async () => {
    await page.goto(`${url}/console/`);
    await signIn({ email: ANALYST.email, password: 'not the password' });
    await page.getByRole('alert').filter({ hasText: 'The email or the password is wrong' }).waitFor();
    expect(await page.getByRole('heading', { name: /Dashboard/ }).count()).toBe(0);

    await signIn(ANALYST);
    await page.getByRole('heading', { name: 'Dashboard — Acme' }).waitFor();
    expect(page.url()).toBe(`${url}/console/t/${tenantId}/dashboard`);
    expect(await text('.who')).toContain('ada@example.com analyst');
  });

  it('switches the default process off with the keyboard; a webhook is then kept without a record', async () => {
    await open('Processes');
    const toggle = page.getByRole('switch', { name: `${PROCESS_NAME} active` });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.focus();
    await page.keyboard.press('Space');
    await page.waitForFunction((name) => document.querySelector(`[aria-label="${name}"]`)?.getAttribute('aria-checked') === 'false', `${PROCESS_NAME} active`);
    expect((await admin.get(`/api/tenants/${tenantId}/processes/${PROCESS}`)).body.active).toBe(false);

    const id = await sendWebhook(url, apiKey, { EntityName: 'Lead', Contact: 'Switched off', Email: 'off@example.com' });
    await settledWebhook(admin, tenantId, id);
    await open('Webhook log');
    const row = page.locator(`tr[data-webhook="${id}"]`);
    expect((await row.innerText()).replace(/\s+/g, ' ')).toContain('kept without record');
    await row.getByRole('link').click();
    await page.getByText('No active process for this webhook: it was kept without creating a record').waitFor();
    expect(await text('main')).toContain('No record.');
    expect((await admin.get(`/api/tenants/${tenantId}/records/Lead`)).body.items).toEqual([]);

    await open('Processes');
    await toggle.click();
    await page.waitForFunction((name) => document.querySelector(`[aria-label="${name}"]`)?.getAttribute('aria-checked') === 'true', `${PROCESS_NAME} active`);
    await screenshot(page, 'processes');
  });

  it('edits an override: a schema error is marked at its line and path, the fix is saved and diffed against the base', async () => {
    await page.getByRole('link', { name: PROCESS_NAME }).click();
    await page.getByRole('heading', { name: PROCESS_NAME }).waitFor();
    expect(await text('ol.steps')).toContain('resolve-object');
    await page.getByRole('tab', { name: 'Edit and test' }).click();
    const editor = page.getByLabel('Definition (JSON)');
    const original = await editor.inputValue();
    const broken = original.replace('"type": "create-record"', '"type": "create-recrod"');
    const line = broken.split('\n').findIndex((candidate) => candidate.includes('create-recrod')) + 1;
    await editor.fill(broken);
    const problem = page.locator('#definition-problems li').first();
    await problem.waitFor();
    expect((await problem.innerText()).replace(/\s+/g, ' ')).toMatch(new RegExp(`^Line ${line} /steps/2/type: unknown step type "create-recrod"`));
    expect(await page.locator('.gutter .error-line').innerText()).toBe(String(line));
    expect(await page.getByRole('button', { name: 'Save override' }).isDisabled()).toBe(true);
    await screenshot(page, 'process-editor-error');

    // The marker leads to the line.
    await problem.getByRole('button', { name: `Line ${line}` }).click();
    expect(await page.evaluate(() => document.activeElement.value.slice(document.activeElement.selectionStart, document.activeElement.selectionEnd))).toContain(
      'create-recrod',
    );

    await editor.fill(original.replace('and create the record"', 'and create the record (Acme override)"'));
    await page.getByText('The definition is valid.').waitFor();
    await page.getByRole('button', { name: 'Save override' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2 (override).' }).waitFor();
    await page.locator('.title-row .badge.source-override').waitFor();

    await page.getByRole('tab', { name: 'Diff against base' }).click();
    expect(await text('.diff-added')).toContain('(Acme override)');
    expect(await page.locator('.diff-removed').count()).toBeGreaterThan(0);
    await screenshot(page, 'process-diff');
    const saved = (await admin.get(`/api/tenants/${tenantId}/processes/${PROCESS}`)).body;
    expect({ source: saved.source, version: saved.version }).toEqual({ source: 'override', version: 2 });
  });

  it('dry-runs the draft: the steps one by one and the records it would write, next to a stored webhook', async () => {
    await page.getByRole('tab', { name: 'Edit and test' }).click();
    const stored = page.locator('.pick-list label').filter({ hasText: 'kept without record' }).first();
    await stored.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Dry-run the draft' }).click();
    const result = page.locator('.dry-run-result');
    await result.waitFor();
    const shown = (await result.innerText()).replace(/\s+/g, ' ');
    expect(shown).toContain('On the sample payload: completed');
    for (const step of ['object resolve-object', 'fields map-parameters', 'record create-record']) expect(shown).toContain(step);
    expect(shown).toContain('create Lead');
    expect(shown).toContain('new_user@gmail.com');
    expect(shown).toContain('1 compared; 1 kept without record would now write records');
    expect((await admin.get(`/api/tenants/${tenantId}/records/Lead`)).body.items).toEqual([]);
    await screenshot(page, 'dry-run');

    // Satisfied: save and replay the picked webhook in one action; its record is written.
    await page.getByRole('button', { name: 'Save, activate and replay 1 selected' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed 1 of 1 webhooks.' }).waitFor();
    await pollUntil(
      () => admin.get(`/api/tenants/${tenantId}/records/Lead`),
      (response) => response.body.items.length === 1,
      10_000,
      'the replayed webhook wrote its Lead',
    );
    expect((await admin.get(`/api/tenants/${tenantId}/records/Lead`)).body.items).toEqual([expect.objectContaining({ Contact: 'Switched off' })]);
  });

  it('replays a webhook kept without a record once the catalogue has its object; the record is then written', async () => {
    const id = await sendWebhook(url, apiKey, { EntityName: 'Ticket', Subject: 'Printer on fire' });
    const kept = await settledWebhook(admin, tenantId, id);
    expect(kept.status).toBe('received');

    await open('Webhook log');
    await page.getByLabel('Status').selectOption('received');
    const row = page.locator(`tr[data-webhook="${id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Object "Ticket" is not in');

    await open('Catalogue');
    await page.getByLabel('New object code').fill('Ticket');
    await page.getByLabel('Caption').first().fill('Support ticket');
    await page.getByRole('button', { name: 'Add object' }).click();
    const ticket = page.locator('details[data-object="Ticket"]');
    await ticket.locator('summary').click();
    await ticket.getByLabel('Column code').fill('Subject');
    await ticket.getByRole('button', { name: 'Add column' }).click();
    await ticket.locator('tbody tr').filter({ hasText: 'System.String' }).waitFor();

    // The type choice is the service's list of column types (GET /api/column-types), text first.
    const type = ticket.getByLabel('Type');
    const offered = await Promise.all((await type.locator('option').all()).map((option) => option.getAttribute('value')));
    expect(offered).toEqual(COLUMN_TYPES);
    expect(await type.inputValue()).toBe('System.String');
    expect(await ticket.getByRole('option', { name: 'Whole number (System.Int32)' }).count()).toBe(1);
    await type.selectOption('System.Guid');
    await ticket.getByLabel('Lookup of').waitFor();
    await type.selectOption('System.Int32');
    expect(await ticket.getByLabel('Lookup of').count()).toBe(0);
    expect(await ticket.locator('[data-type-description]').innerText()).toBe('Whole numbers or numeric strings in the 32-bit range');
    await ticket.getByLabel('Column code').fill('Priority');
    await ticket.getByRole('button', { name: 'Add column' }).click();
    await ticket.locator('tbody tr').filter({ hasText: 'Priority' }).filter({ hasText: 'System.Int32' }).waitFor();

    await open('Webhook log');
    await replayFromLog(id, 'Printer on fire');
    expect(await text('main')).toContain('created Ticket');
    // The first run stopped at the unknown object; the replay's run wrote the record.
    const runs = await page.locator('.run').allInnerTexts();
    expect(runs.map((run) => run.replace(/\s+/g, ' '))).toEqual([
      expect.stringContaining('failed Object "Ticket" is not in'),
      expect.stringMatching(/completed.*record create-record/),
    ]);
    await screenshot(page, 'webhook-detail');
    await open('Webhook log');
    await page.locator('table.log').waitFor();
    await screenshot(page, 'webhook-log');
    expect((await admin.get(`/api/tenants/${tenantId}/records/Ticket`)).body.items).toEqual([expect.objectContaining({ Subject: 'Printer on fire' })]);
  });

  it('shows which parameters of a sample map to the columns of an object and which would fail', async () => {
    await open('Field mapping');
    expect(await text('table.columns')).toContain('CountryId Country System.Guid Country');
    await page.getByRole('button', { name: 'Check the mapping' }).click();
    await page.locator('tr[data-parameter="Budget"]').waitFor();
    expect(await text('tr[data-parameter="Budget"]')).toContain('would fail');
    expect(await text('tr[data-parameter="Contact"]')).toContain('maps');
    expect(await text('tr[data-parameter="Country"]')).toContain('maps (lookup by name) CountryId');
    expect(await text('tr[data-parameter="utm_source"]')).toContain('matches no column');
    await screenshot(page, 'field-mapping');
  });

  it('rotates an API key: the new key and its webhook URL are shown once and work; last use is shown', async () => {
    await open('API keys');
    const row = page.locator('table.keys tbody tr').filter({ hasText: 'Landing page' });
    // A key's last use is written off the webhook's path: on a loaded machine, open the page again.
    for (let tries = 0; (await row.innerText()).includes('never') && tries < 20; tries++) {
      await page.waitForTimeout(250);
      await open('Dashboard');
      await open('API keys');
    }
    expect(await row.innerText()).not.toContain('never');
    await row.getByRole('button', { name: 'Rotate Landing page' }).click();
    const newKey = await page.getByLabel('API key', { exact: true }).inputValue();
    expect(newKey).toMatch(/^hf_/);
    expect(newKey).not.toBe(apiKey);
    expect(await page.getByLabel('Webhook URL').inputValue()).toBe(`${url}/webhooks/${newKey}`);
    // The new key is shown at once; the table is read again from the API after it.
    await row.getByText('old key works until').waitFor();
    await screenshot(page, 'keys');
    await page.getByRole('button', { name: 'Done' }).click();
    const id = await sendWebhook(url, newKey, { EntityName: 'Lead', Contact: 'New key' });
    expect((await settledWebhook(admin, tenantId, id)).status).toBe('processed');
    apiKey = newKey;

    await open('Dashboard');
    await page.locator('.chart svg rect').first().waitFor();
    expect(await text('.cards')).toContain('Webhooks, last 24 h 3');
    expect(await text('.cards')).toContain('Kept without record, last 24 h 0');
    await screenshot(page, 'dashboard');
  });

  it('saves a secret for processes: listed by name, its value never shown again', async () => {
    await open('Secrets');
    await page.getByLabel('Name', { exact: true }).fill('crm');
    await page.getByLabel('Value').fill('browser-secret-value-1');
    await page.getByRole('button', { name: 'Save secret' }).click();
    await page.getByText('Secret “crm” saved.').waitFor();
    const row = page.locator('table.secrets tr[data-secret="crm"]');
    await row.waitFor();
    expect(await page.content()).not.toContain('browser-secret-value-1');
    const listed = await admin.get(`/api/tenants/${tenantId}/secrets`);
    expect(listed.body.map((secret: { name: string }) => secret.name)).toEqual(['crm']);
    await screenshot(page, 'secrets');
  });

  it("sets a key's rate limit on the key screen, and empties it back to the tenant's", async () => {
    await open('API keys');
    const row = page.locator('table.keys tbody tr').filter({ hasText: 'Landing page' });
    await row.getByLabel('Webhooks a minute for Landing page').fill('120');
    await row.getByRole('button', { name: 'Save the limit of Landing page' }).click();
    await pollUntil(
      async () => (await admin.get(`/api/tenants/${tenantId}/api-keys`)).body.find((key: { name: string }) => key.name === 'Landing page'),
      (key) => key?.rateLimitPerMinute === 120,
      10_000,
      'the limit saved',
    );
    await row.getByLabel('Webhooks a minute for Landing page').fill('');
    await row.getByRole('button', { name: 'Save the limit of Landing page' }).click();
    await pollUntil(
      async () => (await admin.get(`/api/tenants/${tenantId}/api-keys`)).body.find((key: { name: string }) => key.name === 'Landing page'),
      (key) => key?.rateLimitPerMinute === null,
      10_000,
      "back to the tenant's limit",
    );
  });

  it('replays every kept webhook that matches the filter, with a progress line', async () => {
    const id = await sendWebhook(url, apiKey, { EntityName: 'Invoice', Number: 'F-1' });
    expect((await settledWebhook(admin, tenantId, id)).status).toBe('received');
    await open('Webhook log');
    await page.getByLabel('Status').selectOption('received');
    await page.locator(`tr[data-webhook="${id}"]`).waitFor();
    await page.getByRole('button', { name: 'Replay all that match' }).click();
    const line = page.getByTestId('bulk-replay').filter({ hasText: 'Bulk replay finished' });
    await line.waitFor();
    expect((await line.innerText()).replace(/\s+/g, ' ')).toMatch(/^Bulk replay finished: (\d+) of \1 replayed\.$/);
  });

  it('replays a failed webhook once the system it forwards to is back; the record is then written', async () => {
    const created = await admin.post(`/api/tenants/${tenantId}/processes`, { definition: forwardingProcess('forward-to-crm', `${crm.url}/contacts`) });
    expect(created.status).toBe(201);
    const id = await sendWebhook(url, apiKey, { Email: 'grace@example.com', first: 'Grace', last: 'Hopper' });
    // Every attempt of the job meets the CRM down: the webhook fails, worth a replay.
    expect((await settledWebhook(admin, tenantId, id)).status).toBe('failed');

    await open('Webhook log');
    await page.getByLabel('Status').selectOption('failed');
    const row = page.locator(`tr[data-webhook="${id}"]`);
    await row.waitFor();
    expect((await row.innerText()).replace(/\s+/g, ' ')).toContain(`POST ${crm.url}/contacts answered 503`);

    crm.answers['/contacts'] = [[201, { id: 42 }]];
    await replayFromLog(id, 'CRM id 42');
    const runs = (await page.locator('.run').filter({ hasText: 'forward-to-crm' }).allInnerTexts()).map((run) => run.replace(/\s+/g, ' '));
    expect(runs).toEqual([expect.stringContaining('failed POST'), expect.stringMatching(/completed.*send http-request.*note create-record/)]);
    expect((await admin.get(`/api/tenants/${tenantId}/records/FormSubmit`)).body.items).toEqual([
      expect.objectContaining({ Email: 'grace@example.com', Notes: 'CRM id 42' }),
    ]);
    expect(crm.received.filter((call) => call.url === '/contacts').length).toBeGreaterThan(1);
  });

  it('shows schema drift on the dashboard: a parameter the sender started to send that no process maps', async () => {
    const id = await sendWebhook(url, apiKey, { EntityName: 'Lead', Contact: 'Drifting form', UtmCampaign: 'winter' });
    expect((await settledWebhook(admin, tenantId, id)).status).toBe('processed');
    await open('Dashboard');
    // The worker writes what it saw every DRIFT_FLUSH_MS; other events of the story may show first.
    await reloadUntilVisible('UtmCampaign');
    const row = page.locator('section.drift tr[data-drift="UtmCampaign"]');
    expect(await row.innerText()).toContain('New, mapped by no process');
  });

  it('a viewer cannot switch processes: the switch is disabled and the API answers 403', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(VIEWER);
    await page.getByRole('heading', { name: 'Dashboard — Acme' }).waitFor();
    expect(await text('.who')).toContain('viewer');
    await open('Processes');
    const toggle = page.getByRole('switch', { name: `${PROCESS_NAME} active` });
    expect(await toggle.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'New custom process' }).count()).toBe(0);
    const status = await page.evaluate(
      async ([tenant, process]) => {
        const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
        const response = await fetch(`/api/tenants/${tenant}/processes/${process}/deactivate`, {
          method: 'POST',
          headers: { 'x-csrf-token': session.csrfToken },
        });
        return response.status;
      },
      [tenantId, PROCESS],
    );
    expect(status).toBe(403);
    expect((await admin.get(`/api/tenants/${tenantId}/processes/${PROCESS}`)).body.active).toBe(true);
    await open('API keys');
    await page.locator('table.keys').waitFor();
    expect(await page.getByRole('button', { name: /Rotate/ }).count()).toBe(0);
  });

  it('a platform admin rotates and revokes an OAuth client; the old secret, then the client, are refused', async () => {
    const created = await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['webhooks:read'] });
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    const token = (secret: string) => requestToken(url, { basic: { clientId, clientSecret: secret }, form: { grant_type: 'client_credentials' } });
    expect(await page.getByRole('link', { name: 'OAuth clients' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(OPERATOR);
    await page.getByRole('heading', { name: 'Dashboard — Acme' }).waitFor();
    page.on('dialog', (dialog) => void dialog.accept());

    await open('OAuth clients');
    const row = page.locator(`table.clients tr[data-client="${clientId}"]`);
    await row.getByRole('button', { name: `Rotate ${clientId}` }).click();
    const newSecret = await page.getByLabel('Client secret').inputValue();
    expect(newSecret.length).toBeGreaterThan(20);
    expect((await token(newSecret)).status).toBe(200);
    expect((await token(clientSecret)).status).toBe(401);
    await page.getByRole('button', { name: 'Done' }).click();

    await row.getByRole('button', { name: `Revoke ${clientId}` }).click();
    await row.getByText('revoked').waitFor();
    expect((await token(newSecret)).status).toBe(401);
  });

  it('fits a narrow window and loads nothing from elsewhere', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await open('Webhook log');
    await page.locator('table.log').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'API keys' }).isVisible()).toBe(true);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
