import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Chromium the browser tests drive, found without an apt step: `CHROMIUM_PATH` when set,
 * else Debian's `/usr/bin/chromium` when installed, else the Chromium that ships inside the
 * `@sparticuz/chromium` devDependency (unpacked once into the temp folder; nothing is downloaded).
 */
export async function chromiumExecutable(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist`);
    return configured;
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const { default: packaged } = await import('@sparticuz/chromium');
  return packaged.executablePath();
}

/** Flags for a headless run on a machine with a closed network (no background connections). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Headless Chromium with one page on the console's viewport (10 s per step): the page's errors go
 * into `seen.pageErrors`, and, when given, every request to anywhere but the service into
 * `seen.external` — both for the tests to assert empty.
 */
export async function openConsole(
  serviceUrl: string,
  viewport: { width: number; height: number },
  seen: { pageErrors: string[]; external?: string[] },
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
  const page = await (await browser.newContext({ viewport })).newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => seen.pageErrors.push(error.message));
  const { external } = seen;
  if (external) page.on('request', (request) => void (request.url().startsWith(serviceUrl) || external.push(request.url())));
  return { browser, page };
}

/** Signs a user in on the console's sign-in page and waits for the dashboard of their tenant. */
export async function signIn(page: Page, serviceUrl: string, user: { email: string; password: string }, tenantName = 'Acme'): Promise<void> {
  await page.goto(`${serviceUrl}/console/`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Dashboard — ${tenantName}` }).waitFor();
}

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));

/** With SCREENSHOTS=1 (`npm run screenshots`), the page as docs/screenshots/<name>.png; nothing otherwise. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
