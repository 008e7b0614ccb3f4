import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AdminApi, type Json } from './support/admin-client.js';
import { CANADA_ID, expectError, UUID, useAdminApi } from './support/admin-api.js';
import { databaseKinds } from './support/databases.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/forms/${name}.json`, import.meta.url), 'utf8'));

/** Jotform posts its fields as a form; they arrive urlencoded here, every value a string. */
const JOTFORM_FIELDS = fixture('jotform').fields as Record<string, string>;

interface FormCase {
  name: string;
  body: () => unknown;
  id: string;
  /** What the proposal must say of each field: path → column, reason. */
  matches: Record<string, [string, string]>;
  /** The Lead the replay writes. */
  lead: Record<string, unknown>;
}

const FORMS: FormCase[] = [
  {
    name: 'typeform',
    body: () => fixture('typeform'),
    id: 'map-typeform-lead',
    matches: {
      "form_response.answers[field.ref='full_name']": ['Contact', 'name'],
      "form_response.answers[field.ref='email_address']": ['Email', 'name'],
      "form_response.answers[field.ref='phone']": ['MobilePhone', 'name'],
      "form_response.answers[field.ref='country']": ['CountryId', 'lookup-value'],
      "form_response.answers[field.ref='company']": ['Account', 'name'],
    },
    lead: { Contact: 'Ada Lovelace', Email: 'ada@analytical.example', MobilePhone: '+16175551234', CountryId: CANADA_ID, Account: 'Analytical Engines Ltd' },
  },
  {
    name: 'tally',
    body: () => fixture('tally'),
    id: 'map-tally-lead',
    matches: {
      "data.fields[key='question_3ExXkL']": ['Contact', 'name'],
      "data.fields[key='question_nRd6xN']": ['Email', 'name'],
      "data.fields[key='question_wMZoEb']": ['MobilePhone', 'name'],
      "data.fields[key='question_mVGpVW']": ['CountryId', 'lookup-value'],
    },
    lead: { Contact: 'Grace Hopper', Email: 'grace@navy.example', MobilePhone: '+1 617 555 0199', CountryId: CANADA_ID },
  },
  {
    name: 'jotform',
    body: () => new URLSearchParams(JOTFORM_FIELDS),
    id: 'map-jotform-lead',
    matches: {
      'rawRequest.q3_fullName': ['Contact', 'name'],
      'rawRequest.q4_email': ['Email', 'name'],
      'rawRequest.q5_phoneNumber': ['MobilePhone', 'name'],
      'rawRequest.q6_country': ['CountryId', 'lookup-value'],
      'rawRequest.q7_message': ['Notes', 'name'],
    },
    lead: {
      Contact: 'Katherine Johnson',
      Email: 'katherine@nasa.example',
      MobilePhone: '+1 757 555 0142',
      CountryId: CANADA_ID,
      Notes: 'Please send the brochure',
    },
  },
];

describe.each(databaseKinds())('"map this webhook": a proposed custom process (%s)', (kind) => {
  const api = useAdminApi(kind);

  /** A tenant whose new key sent the webhook; it is kept without a record (no EntityName). */
  async function keptWebhook(body: unknown, keyName = 'Demo form') {
    const tenantId = await api.createTenant('Mapping');
    const key = await api.createKey(tenantId, keyName);
    const webhookId = await api.send(key.apiKey, body);
    const kept = await api.settle(tenantId, webhookId);
    expect(kept).toMatchObject({ status: 'received', recordIds: [], reason: expect.stringContaining('EntityName') });
    return { tenantId, key, webhookId, kept };
  }

  const proposal = (tenantId: string, webhookId: string, body: unknown = { object: 'Lead' }) =>
    api.admin.post(`/api/tenants/${tenantId}/webhooks/${webhookId}/mapping-proposal`, body);

  describe.each(FORMS)('a $name webhook', (form) => {
    it('is proposed a mapping onto Lead, which saved and replayed writes the Lead with Canada resolved', async () => {
      const { tenantId, key, webhookId, kept } = await keptWebhook(form.body());
      if (form.name === 'jotform') expect(kept.payload).toEqual(JOTFORM_FIELDS);

      const answer = await proposal(tenantId, webhookId);
      expect(answer.status).toBe(200);
      const body = answer.body;
      expect(body).toMatchObject({ object: 'Lead', objectChosen: 'given', source: form.name, truncated: false, missingRequired: [] });
      const matched = Object.fromEntries(
        body.parameters.filter((entry: Json) => entry.column).map((entry: Json) => [entry.path, [entry.column, entry.reason]]),
      );
      expect(matched).toEqual(form.matches);
      for (const entry of body.parameters) {
        expect(entry.confidence).toBeGreaterThanOrEqual(0);
        expect(entry.confidence).toBeLessThanOrEqual(1);
        expect(typeof entry.explanation).toBe('string');
      }
      const country = body.parameters.find((entry: Json) => entry.column === 'CountryId');
      expect(country).toMatchObject({ sample: 'Canada', writtenAs: 'Country', reason: 'lookup-value' });
      expect(country.confidence).toBeGreaterThanOrEqual(0.85);
      expect(country.explanation).toContain("the Country 'Canada'");
      expect(body.unmatched).toEqual(body.parameters.filter((entry: Json) => entry.column === null));
      expect(body.unmatched.length).toBeGreaterThan(0);

      // The definition writes exactly the matched parameters, with the expressions shown.
      const definition = body.definition;
      expect(definition).toMatchObject({ id: form.id, version: 1, activeByDefault: true, trigger: { type: 'webhook', apiKeys: [key.id] } });
      expect(definition.name).toBe(`${form.name[0].toUpperCase()}${form.name.slice(1)} → Lead`);
      expect(definition.description).toContain('Demo form');
      const values = definition.steps[0].input.values;
      expect(definition.steps).toEqual([{ id: 'record', type: 'create-record', description: expect.any(String), input: { object: 'Lead', values } }]);
      expect(values).toEqual(
        Object.fromEntries(body.parameters.filter((entry: Json) => entry.column).map((entry: Json) => [entry.writtenAs, entry.expression])),
      );
      expect(values.Country).toBeDefined();

      // A dry run of the definition on this webhook writes the samples.
      const dryRun = await api.admin.post(`/api/tenants/${tenantId}/processes/test`, { definition, payload: kept.payload });
      expect(dryRun.status).toBe(200);
      expect(dryRun.body.records).toEqual([expect.objectContaining({ values: form.lead })]);

      const saved = await api.admin.post(`/api/tenants/${tenantId}/processes`, { definition });
      expect(saved.status).toBe(201);
      expect(saved.body).toMatchObject({ id: form.id, source: 'custom', active: true });

      const replayed = await api.admin.post(`/api/tenants/${tenantId}/webhooks/${webhookId}/replay`, {});
      expect(replayed.status).toBe(202);
      const done = await api.settle(tenantId, webhookId, (detail) =>
        replayed.body.runIds.every((id: string) => detail.runs.some((run: Json) => run.id === id)),
      );
      expect(done.status).toBe('processed');
      expect(done.records).toEqual([expect.objectContaining({ object: 'Lead', Id: expect.stringMatching(UUID), ...form.lead })]);
    });
  });

  it('without an object, proposes the object whose columns match best, and says so', async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('typeform'));
    const answer = await proposal(tenantId, webhookId, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ object: 'Lead', objectChosen: 'best-match' });
    // No body at all is the same as an empty one.
    const bare = await api.admin.request('POST', `/api/tenants/${tenantId}/webhooks/${webhookId}/mapping-proposal`);
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual(answer.body);
  });

  it('maps onto another object when asked: a Contact, whose person is its Name', async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('tally'));
    const answer = await proposal(tenantId, webhookId, { object: 'Contact' });
    expect(answer.status).toBe(200);
    expect(answer.body.object).toBe('Contact');
    expect(answer.body.definition.id).toBe('map-tally-contact');
    expect(answer.body.definition.steps[0].input.values).toMatchObject({ Name: "data.fields[key='question_3ExXkL'].value", Country: expect.any(String) });
  });

  it("takes the analyst's corrections: a chosen column wins over the proposal, null leaves a parameter out", async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('typeform'));
    const company = "form_response.answers[field.ref='company']";
    const phone = "form_response.answers[field.ref='phone']";
    const country = "form_response.answers[field.ref='country']";
    // The company goes to Notes, the phone nowhere, and the country by its name is chosen as it was proposed.
    const answer = await proposal(tenantId, webhookId, { object: 'Lead', columns: { [company]: 'Notes', [phone]: null, [country]: 'CountryId' } });
    expect(answer.status).toBe(200);
    const byPath = Object.fromEntries(answer.body.parameters.map((entry: Json) => [entry.path, entry]));
    expect(byPath[company]).toMatchObject({
      column: 'Notes',
      writtenAs: 'Notes',
      reason: 'chosen',
      confidence: 1,
      explanation: "you chose the column Notes for 'Company'",
    });
    expect(byPath[phone]).toMatchObject({ column: null, reason: null, explanation: 'left without a column by your choice' });
    expect(byPath[country]).toMatchObject({ column: 'CountryId', writtenAs: 'Country', reason: 'chosen' });
    expect(answer.body.definition.steps[0].input.values).toEqual({
      Contact: "form_response.answers[field.ref='full_name'].text",
      Email: "form_response.answers[field.ref='email_address'].email",
      Country: "form_response.answers[field.ref='country'].choice.label",
      Notes: "form_response.answers[field.ref='company'].text",
    });

    const unknown = await proposal(tenantId, webhookId, { object: 'Lead', columns: { [company]: 'Nope' } });
    expect(unknown).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', message: `columns["${company}"]: Lead has no column "Nope" a webhook can write` },
    });
    const withoutObject = await proposal(tenantId, webhookId, { columns: { [company]: 'Notes' } });
    expect(withoutObject).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
    const notText = await proposal(tenantId, webhookId, { object: 'Lead', columns: { [company]: 7 } });
    expect(notText).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT', message: `columns["${company}"]: a column code, or null for none` } });
  });

  it('a plain JSON webhook of a key with its own names: matched by value shape, id from the key name', async () => {
    const { tenantId, webhookId } = await keptWebhook(
      { field_1: 'linus@example.org', field_2: 'https://example.org', submitted_at: '2024-05-17T09:30:02Z' },
      'Site builder',
    );
    const answer = await proposal(tenantId, webhookId);
    expect(answer.status).toBe(200);
    expect(answer.body.source).toBeNull();
    expect(answer.body.parameters).toEqual([
      expect.objectContaining({ path: 'field_1', column: 'Email', reason: 'value-shape', sample: 'linus@example.org', expression: 'field_1' }),
      expect.objectContaining({ path: 'field_2', column: 'Website', reason: 'value-shape' }),
      expect.objectContaining({ path: 'submitted_at', column: null, reason: null, confidence: 0 }),
    ]);
    expect(answer.body.definition.id).toBe('map-site-builder-lead');
    expect(answer.body.definition.trigger).not.toHaveProperty('condition');
  });

  it('a second proposal after the first was saved gets a free id', async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('typeform'));
    const first = await proposal(tenantId, webhookId);
    expect((await api.admin.post(`/api/tenants/${tenantId}/processes`, { definition: first.body.definition })).status).toBe(201);
    expect((await proposal(tenantId, webhookId)).body.definition.id).toBe('map-typeform-lead-2');
  });

  it('answers 404 for a webhook that does not exist, and for one of another tenant', async () => {
    const { webhookId } = await keptWebhook(fixture('typeform'));
    const other = await api.createTenant('Other');
    expectError(await proposal(other, webhookId), 404, `Webhook ${webhookId} does not exist in this tenant`);
    expectError(await proposal(other, randomUUID()), 404, 'does not exist in this tenant');
  });

  it('answers 404 NOT_FOUND for an unknown object, 400 for one outside the Webhook entities lookup, 400 for a malformed name', async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('typeform'));
    const unknown = await proposal(tenantId, webhookId, { object: 'Spaceship' });
    expectError(unknown, 404, 'Object "Spaceship" does not exist');
    expect(unknown.body.code).toBe('NOT_FOUND');
    const lookupOnly = await proposal(tenantId, webhookId, { object: 'Country' });
    expectError(lookupOnly, 400, "not in this tenant's Webhook entities lookup");
    expect(lookupOnly.body.code).toBe('INVALID_ARGUMENT');
    expectError(await proposal(tenantId, webhookId, { object: 'no such' }), 400, 'object');
    expectError(await proposal(tenantId, webhookId, { object: 'Lead', extra: 1 }), 400, 'extra');
  });

  it('answers 400 INVALID_BODY, saying so, for a JSON content type with an empty body', async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('typeform'));
    const answer = await api.admin.request('POST', `/api/tenants/${tenantId}/webhooks/${webhookId}/mapping-proposal`, '', {
      'content-type': 'application/json',
    });
    expectError(answer, 400, 'Request body is empty; send a JSON object');
  });

  it('answers 422 UNMAPPABLE for a webhook without parameters', async () => {
    const { tenantId, webhookId } = await keptWebhook({});
    const answer = await proposal(tenantId, webhookId);
    expectError(answer, 422, `Webhook ${webhookId} has no parameters to map: its payload is empty`);
    expect(answer.body.code).toBe('UNMAPPABLE');
  });

  it('considers at most 500 parameters, and says so', async () => {
    const many = Object.fromEntries(Array.from({ length: 600 }, (_, index) => [`answer_${index}`, `value ${index}`]));
    const { tenantId, webhookId } = await keptWebhook({ ...many, email: 'late@example.com' });
    const answer = await proposal(tenantId, webhookId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ truncated: true, parameterCount: 601 });
    expect(answer.body.parameters).toHaveLength(500);
  });

  it('needs webhooks:read', async () => {
    const { tenantId, webhookId } = await keptWebhook(fixture('typeform'));
    const client = async (scopes: string[]) => {
      const created = await api.admin.post('/api/clients', { kind: 'tenant', tenantId, scopes });
      expect(created.status).toBe(201);
      return AdminApi.login(api.url, created.body.clientId, created.body.clientSecret);
    };
    const reader = await client(['webhooks:read']);
    expect((await reader.post(`/api/tenants/${tenantId}/webhooks/${webhookId}/mapping-proposal`, { object: 'Lead' })).status).toBe(200);
    const other = await client(['processes:read', 'catalogue:read']);
    expectError(await other.post(`/api/tenants/${tenantId}/webhooks/${webhookId}/mapping-proposal`, { object: 'Lead' }), 403, '"webhooks:read"');
  });
});
