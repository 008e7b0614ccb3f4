import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { UsersService } from '../src/auth/users.service.js';
import { RecordsService } from '../src/catalogue/records.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { apiRequest } from './support/admin-client.js';
import { CANADA_ID } from './support/admin-api.js';
import { openConsole, screenshot, signIn } from './support/browser.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * "Map this webhook" in a real browser (headless Chromium) against the service in this process:
 * a new form tool's first webhook — Typeform, Tally, Jotform-style — is kept without a record;
 * from its detail (and from the field-mapping view) the analyst opens the proposed mapping,
 * checks and corrects it, dry-runs it on that webhook, saves it and replays the webhook, which
 * then writes the Lead. Nothing is typed but a choice in a select.
 */
const ANALYST = { email: 'ada@example.com', password: 'analyst passphrase 1' };
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/forms/${name}.json`, import.meta.url), 'utf8'));

interface FormCase {
  name: string;
  key: string;
  body: () => unknown;
  /** The object proposed before the analyst picks one: the one whose columns match best (a tie goes to the first by name). */
  proposed: string;
  /** Parameter path → the column the proposal must show for it. */
  columns: Record<string, string>;
  lead: Record<string, unknown>;
}

const FORMS: FormCase[] = [
  {
    name: 'typeform',
    key: 'Typeform',
    body: () => fixture('typeform'),
    // The company makes Lead (with its Account) the better match.
    proposed: 'Lead',
    columns: {
      "form_response.answers[field.ref='full_name']": 'Contact',
      "form_response.answers[field.ref='email_address']": 'Email',
      "form_response.answers[field.ref='phone']": 'MobilePhone',
      "form_response.answers[field.ref='country']": 'CountryId',
    },
    lead: { Contact: 'Ada Lovelace', Email: 'ada@analytical.example', MobilePhone: '+16175551234', CountryId: CANADA_ID },
  },
  {
    name: 'tally',
    key: 'Tally',
    body: () => fixture('tally'),
    // Name, e-mail, phone and country fit a Contact as well as a Lead.
    proposed: 'Contact',
    columns: {
      "data.fields[key='question_3ExXkL']": 'Contact',
      "data.fields[key='question_nRd6xN']": 'Email',
      "data.fields[key='question_wMZoEb']": 'MobilePhone',
      "data.fields[key='question_mVGpVW']": 'CountryId',
    },
    lead: { Contact: 'Grace Hopper', Email: 'grace@navy.example', MobilePhone: '+1 617 555 0199', CountryId: CANADA_ID },
  },
  {
    name: 'jotform',
    key: 'Jotform',
    // Jotform posts its fields as a form: urlencoded, every value a string, the answers as JSON in rawRequest.
    body: () => new URLSearchParams(fixture('jotform').fields),
    proposed: 'Contact',
    columns: {
      'rawRequest.q3_fullName': 'Contact',
      'rawRequest.q4_email': 'Email',
      'rawRequest.q5_phoneNumber': 'MobilePhone',
      'rawRequest.q6_country': 'CountryId',
    },
    lead: { Contact: 'Katherine Johnson', Email: 'katherine@nasa.example', MobilePhone: '+1 757 555 0142', CountryId: CANADA_ID },
  },
];

describe('"Map this webhook" in the console', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  const external: string[] = [];
  const pageErrors: string[] = [];

  /** A new key of the tenant sends the form's webhook; no process understands it, so it is kept without a record. */
  async function keptWebhook(form: FormCase): Promise<{ webhookId: string; keyId: string }> {
    const key = await hookflow.get(ApiKeysService).create(tenantId, form.key);
    const sent = await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { body: form.body() });
    expect(sent.status).toBe(202);
    const kept = await hookflow.waitForWebhook(tenantId, sent.body.id as string);
    expect(kept).toMatchObject({ status: 'received', recordIds: [] });
    return { webhookId: kept.id, keyId: key.id };
  }

  const row = (path: string) => page.locator(`tr[data-parameter="${path.replace(/"/g, '\\"')}"]`);

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId } = await hookflow.newTenant('Acme'));
    await hookflow.get(UsersService).create(ANALYST.email, ANALYST.password, { tenantId, role: 'analyst' });
    ({ browser, page } = await openConsole(hookflow.url, { width: 1280, height: 900 }, { pageErrors, external }));
    await signIn(page, hookflow.url, ANALYST);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hookflow?.close();
    await database?.drop();
  }, 60_000);

  it.each(FORMS)('maps a $name webhook onto a Lead: proposed, dry-run on it, saved, replayed into the Lead', async (form) => {
    const { webhookId, keyId } = await keptWebhook(form);
    await page.goto(`${hookflow.url}/console/t/${tenantId}/webhooks/${webhookId}`);
    await page.getByRole('link', { name: 'Map this webhook' }).click();
    await page.getByRole('heading', { name: 'Map this webhook' }).waitFor();
    await page.locator('table.proposal').waitFor();

    // An object is proposed; the analyst picks Lead.
    expect(await page.getByLabel('Target object').inputValue()).toBe(form.proposed);
    expect(await page.getByText('proposed: its columns match').count()).toBe(1);
    await page.getByLabel('Target object').selectOption('Lead');
    await page.getByText('proposed: its columns match').waitFor({ state: 'detached' });
    for (const [path, column] of Object.entries(form.columns)) expect(await row(path).locator('select').inputValue()).toBe(column);
    const country = Object.keys(form.columns).find((path) => form.columns[path] === 'CountryId')!;
    const why = (await row(country).locator('td').last().innerText()).replace(/\s+/g, ' ');
    expect(why).toMatch(/^by a lookup value, \d+% /);
    expect(why).toContain("the Country 'Canada'");
    expect(await row(country).locator('td').first().innerText()).toBe('Canada');
    expect(await page.locator('tr.unmatched').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Dry run on this webhook' }).click();
    const dryRun = page.getByTestId('map-dry-run');
    await dryRun.waitFor();
    const planned = (await dryRun.locator('.records').innerText()).replace(/\s+/g, ' ');
    for (const value of Object.values(form.lead)) expect(planned).toContain(String(value));
    if (form.name === 'typeform') await screenshot(page, 'map-webhook');

    await page.getByRole('button', { name: 'Save as an active process' }).click();
    const saved = page.getByTestId('map-saved');
    await saved.getByText(/as version 1, active/).waitFor();
    await saved.getByRole('button', { name: 'Replay this webhook' }).click();
    await saved.getByText('Replayed:').waitFor({ timeout: 20_000 });
    expect(await saved.locator('.records').innerText()).toContain(String(form.lead.Contact));

    const leads = await hookflow.get(RecordsService).list(tenantId, 'Lead');
    expect(leads.filter((lead) => lead.Contact === form.lead.Contact)).toEqual([expect.objectContaining(form.lead)]);
    const process = (await hookflow.get(ProcessesService).list(tenantId)).find((candidate) => candidate.id === `map-${form.name}-lead`);
    expect(process).toMatchObject({ source: 'custom', active: true });
    const detail = await hookflow.get(ProcessesService).get(tenantId, `map-${form.name}-lead`);
    expect(detail.definition.trigger).toMatchObject({ type: 'webhook', apiKeys: [keyId] });

    // The saved process opens in the Designer, drawn.
    await saved.getByRole('link', { name: 'Open it in the designer' }).click();
    await page.locator('.djs-element[data-element-id="record"]').waitFor();
    expect(await page.getByRole('tab', { name: 'Designer' }).getAttribute('aria-selected')).toBe('true');
  });

  it('corrects a column: the proposal is asked again, and the dry run writes the corrected one', async () => {
    const { webhookId } = await keptWebhook({ ...FORMS[0], key: 'Typeform again' });
    // From the field-mapping view: the newest webhooks kept without a record, each with "Map this webhook".
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Field mapping', exact: true }).click();
    await page.locator(`.kept-webhooks li[data-webhook="${webhookId}"]`).getByRole('link').click();
    await page.locator('table.proposal').waitFor();

    const company = "form_response.answers[field.ref='company']";
    const phone = "form_response.answers[field.ref='phone']";
    expect(await row(company).locator('select').inputValue()).toBe('Account');
    await row(company).locator('select').selectOption('Notes');
    await row(company).getByText('your choice, 100%').waitFor();
    await row(phone).locator('select').selectOption('');
    await row(phone).getByText('left without a column by your choice').waitFor();
    expect(await row(company).locator('select').inputValue()).toBe('Notes');

    await page.getByRole('button', { name: 'Dry run on this webhook' }).click();
    const planned = (await page.getByTestId('map-dry-run').locator('.records').innerText()).replace(/\s+/g, ' ');
    expect(planned).toContain('Notes Analytical Engines Ltd');
    expect(planned).not.toContain('Account');
    expect(planned).not.toContain('+16175551234');
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
