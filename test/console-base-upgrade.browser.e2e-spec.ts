import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { upsertExample } from './fixtures/form-builder.js';
import { apiRequest } from './support/admin-client.js';
import { CHROMIUM_ARGS, chromiumExecutable } from './support/browser.js';
import { cliJson } from './support/cli.mjs';
import { startServiceProcess, until, type ServiceProcess } from './support/processes.mjs';
import { freePort } from './support/redis-server.mjs';

/**
 * A release ships base v2 of a process a tenant has overridden: the console's diff shows both
 * sides from the base the override was made from (what the base changed, what the override changed).
 */
const PROCESS = 'upsert-contact-by-email';
const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };

describe('the console after a base upgrade', () => {
  let dir: string;
  let service: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  let tenantId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-upgrade-'));
    const processesDir = join(dir, 'processes');
    cpSync(fileURLToPath(new URL('../processes', import.meta.url)), processesDir, { recursive: true });
    const env = { DATABASE_URL: `sqlite:${join(dir, 'hookflow.sqlite')}`, PROCESSES_DIR: processesDir };
    tenantId = (await cliJson<{ id: string }>(['tenant', 'create', 'Acme'], env)).id;
    await cliJson(['user', 'create', ANALYST.email, '--password-stdin', '--tenant', tenantId, '--role', 'analyst'], env, ANALYST.password);
    const override = {
      ...upsertExample,
      steps: [
        {
          ...upsertExample.steps[0],
          input: { ...upsertExample.steps[0].input, values: { ...upsertExample.steps[0].input.values, JobTitle: "'From override'" } },
        },
      ],
    };
    writeFileSync(join(dir, 'override.json'), JSON.stringify(override));
    await cliJson(['process', 'override', PROCESS, '--tenant', tenantId, '--file', join(dir, 'override.json')], env);

    // The release: base v2 trims Name.
    const path = join(processesDir, `${PROCESS}.json`);
    const base = JSON.parse(readFileSync(path, 'utf8'));
    base.version = 2;
    base.steps[0].input.values.Name = '$trim(Name)';
    writeFileSync(path, JSON.stringify(base, null, 2));

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = startServiceProcess({
      ...env,
      REDIS_URL: process.env.REDIS_URL ?? '',
      REDIS_PREFIX: `upgrade-${randomBytes(6).toString('hex')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    await until(
      () =>
        apiRequest(url, 'GET', '/health/live').then(
          (response) => response.status >= 200 && response.status < 300,
          () => false,
        ),
      20_000,
      `the service on ${url}`,
    );
    browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks the override and shows what the base changed and what the override changed', async () => {
    await page.goto(`${url}/console/t/${tenantId}/processes/${PROCESS}`);
    await page.getByLabel('Email').fill(ANALYST.email);
    await page.getByLabel('Password').fill(ANALYST.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(`${url}/console/t/${tenantId}/processes/${PROCESS}`);
    await page.getByText('base changed since this override (v1 → v2)').waitFor();

    await page.getByRole('tab', { name: 'Diff against base' }).click();
    await page.getByRole('heading', { name: 'The base, v1 → v2' }).waitFor();
    const baseDiff = page.getByLabel('Differences between base v1 and base v2');
    expect(await baseDiff.locator('.diff-added').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('$trim(Name)')]));
    const overrideDiff = page.getByLabel('Differences between base v1 and the draft');
    expect(await overrideDiff.locator('.diff-added').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('JobTitle')]));
    expect(await overrideDiff.innerText()).not.toContain('$trim(Name)');
  });
});
