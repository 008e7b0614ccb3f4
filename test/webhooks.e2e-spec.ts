import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CANADA_ID } from '../src/catalogue/default-catalogue.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { WebhookRunnerService } from '../src/pipeline/webhook-runner.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { WebhookLogService } from '../src/webhooks/webhook-log.service.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const example = JSON.parse(readFileSync(new URL('./fixtures/creatio-example.json', import.meta.url), 'utf8'));
const DEFAULT_PROCESS = 'create-object-records-from-webhook';

describe.each(databaseKinds())('webhooks in, records out (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  function expectReferenceLead(lead: Record<string, unknown> | undefined) {
    expect(lead).toMatchObject({
      Contact: 'New user',
      Email: 'new_user@gmail.com',
      MobilePhone: '+1 617 221 5187',
      CountryId: CANADA_ID,
    });
    expect(lead).not.toHaveProperty('EntityName');
  }

  describe('the reference example creates a Lead', () => {
    it('as JSON', async () => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: example });
      expect(response.status).toBe(202);
      const body = response.body as { id: string; status: string };
      expect(body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'accepted' });

      const webhook = await hookflow.waitForWebhook(tenantId, body.id);
      expect(webhook).toMatchObject({ status: 'processed', reason: null });
      const leads = await hookflow.records(tenantId, 'Lead');
      expect(leads).toHaveLength(1);
      expect(webhook.recordIds).toEqual([leads[0].Id]);
      expectReferenceLead(leads[0]);
    });

    it('as multipart/form-data', async () => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const form = new FormData();
      for (const [name, value] of Object.entries(example)) form.append(name, String(value));
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: form });
      expect(response.status).toBe(202);
      const { id } = response.body as { id: string };
      expect((await hookflow.waitForWebhook(tenantId, id)).status).toBe('processed');
      expectReferenceLead((await hookflow.records(tenantId, 'Lead'))[0]);
    });

    it('as application/x-www-form-urlencoded', async () => {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
        body: new URLSearchParams(example).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.status).toBe(202);
      const { id } = response.body as { id: string };
      expect((await hookflow.waitForWebhook(tenantId, id)).status).toBe('processed');
      expectReferenceLead((await hookflow.records(tenantId, 'Lead'))[0]);
    });
  });

  it('converts form strings to column types and keeps parameters that match no column out of the record', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const form = new URLSearchParams({
      EntityName: 'Contact',
      Name: 'Ada Lovelace',
      Age: '36',
      BirthDate: '1815-12-10',
      IsEmailConfirmed: 'on',
      utm_source: 'newsletter',
    });
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { id } = response.body as { id: string };
    expect((await hookflow.waitForWebhook(tenantId, id)).status).toBe('processed');
    const [contact] = await hookflow.records(tenantId, 'Contact');
    expect(contact).toMatchObject({
      Name: 'Ada Lovelace',
      Age: 36,
      BirthDate: '1815-12-10T00:00:00.000Z',
      IsEmailConfirmed: true,
    });
    expect(contact).not.toHaveProperty('utm_source');
  });

  describe('bad input is refused with a clear error and nothing is queued', () => {
    let tenantId: string;
    let apiKey: string;

    beforeAll(async () => {
      ({ tenantId, apiKey } = await hookflow.newTenant());
    });

    it.each(['GET', 'PUT', 'PATCH', 'DELETE'])('%s → 405 with Allow: POST', async (method) => {
      const response = await apiRequest(hookflow.url, method, `/webhooks/${apiKey}`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(response.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
    });

    it('another content type → 415', async () => {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: 'Contact=x', headers: { 'content-type': 'text/plain' } });
      expect(response.status).toBe(415);
      const body = response.body as { message: string };
      expect(body.message).toContain('application/json');
    });

    it('no body and no content type → 415', async () => {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`);
      expect(response.status).toBe(415);
    });

    it('malformed JSON → 400 that says what and where', async () => {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
        body: '{\n  "Email": "a@b.c",\n  "Name": }',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      const body = response.body as { statusCode: number; error: string; message: string };
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(body.message).toMatch(/^Malformed JSON: .+ at line 3, column 11/);
    });

    it.each([
      ['an array', '[{"EntityName":"Lead"}]'],
      ['a string', '"Lead"'],
      ['a number', '42'],
      ['null', 'null'],
    ])('JSON whose top level is %s → 400', async (_what, text) => {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: text, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect((response.body as { message: string }).message).toMatch(/must be a JSON object/);
    });

    it('a body over the limit → 413', async () => {
      const big = JSON.stringify({ EntityName: 'Lead', Notes: 'x'.repeat(hookflow.config.maxBodyBytes) });
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: big, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });

    it('a file in a multipart body → 415', async () => {
      const form = new FormData();
      form.append('EntityName', 'Lead');
      form.append('cv', new Blob(['hello'], { type: 'text/plain' }), 'cv.txt');
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: form });
      expect(response.status).toBe(415);
      expect((response.body as { message: string }).message).toContain('"cv" is a file');
    });

    it.each([
      ['an unknown key', `hf_${'A'.repeat(43)}`],
      ['a malformed key', 'not-a-key'],
    ])('%s → 401', async (_what, key) => {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${key}`, { body: example });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Unknown or revoked API key',
        code: 'INVALID_API_KEY',
      });
    });

    it('a revoked key → 401 (within the key cache time)', async () => {
      const other = await hookflow.newTenant();
      const keys = hookflow.get(ApiKeysService);
      await keys.revoke(other.tenantId, other.apiKeyId);
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${other.apiKey}`, { body: example });
      expect(response.status).toBe(401);
    });

    it('none of the refused requests reached the webhook log', async () => {
      // A good webhook last: once it is processed, anything queued before it would be too.
      const good = await hookflow.deliver(tenantId, apiKey, example);
      expect(good.status).toBe('processed');
      expect((await hookflow.webhooks(tenantId)).map((w) => w.id)).toEqual([good.id]);
    });
  });

  describe('a webhook that cannot be mapped is kept without a record, with the reason', () => {
    let tenantId: string;
    let apiKey: string;

    beforeAll(async () => {
      ({ tenantId, apiKey } = await hookflow.newTenant());
    });

    it.each([
      ['no EntityName', { Contact: 'x' }, /EntityName.*missing/],
      ['an object not in the lookup', { EntityName: 'Country', Name: 'Atlantis' }, /"Country" is not in .*Webhook entities lookup/],
      ['an unknown object', { EntityName: 'Invoice', Number: '1' }, /"Invoice" is not in/],
      ['a required column missing', { EntityName: 'Contact', Email: 'a@b.c' }, /Name: required column "Full name" has no value/],
      ['a whole number that is not one', { EntityName: 'Contact', Name: 'A', Age: 'abc' }, /Age: "abc" is not a whole number/],
      ['a date that is not one', { EntityName: 'Contact', Name: 'A', BirthDate: 'not a date' }, /BirthDate: "not a date" is not a date/],
      ['a lookup Id that is not a GUID', { EntityName: 'Lead', CountryId: 'Canada' }, /CountryId: "Canada" is not a GUID/],
      [
        'a lookup Id of no record',
        { EntityName: 'Lead', CountryId: '00000000-0000-4000-8000-000000000000' },
        /CountryId: no Country record has Id 00000000-0000-4000-8000-000000000000/,
      ],
    ])('%s', async (_what, payload, reason) => {
      const webhook = await hookflow.deliver(tenantId, apiKey, payload);
      expect(webhook.status).toBe('received');
      expect(webhook.reason).toMatch(reason);
      expect(webhook.recordIds).toEqual([]);
    });

    it('no record was created by any of them', async () => {
      for (const object of ['Lead', 'Contact', 'Order', 'FormSubmit']) {
        expect(await hookflow.records(tenantId, object)).toEqual([]);
      }
    });
  });

  it('a deactivated default process keeps webhooks without a record, for that tenant only', async () => {
    const a = await hookflow.newTenant('A');
    const b = await hookflow.newTenant('B');
    await hookflow.get(ProcessesService).setActive(a.tenantId, DEFAULT_PROCESS, false);

    const kept = await hookflow.deliver(a.tenantId, a.apiKey, example);
    expect(kept).toMatchObject({ status: 'received', recordIds: [] });
    expect(kept.reason).toMatch(/No active process/);
    expect(await hookflow.records(a.tenantId, 'Lead')).toEqual([]);

    expect((await hookflow.deliver(b.tenantId, b.apiKey, example)).status).toBe('processed');
    expect(await hookflow.records(b.tenantId, 'Lead')).toHaveLength(1);

    await hookflow.get(ProcessesService).setActive(a.tenantId, DEFAULT_PROCESS, true);
    expect((await hookflow.deliver(a.tenantId, a.apiKey, example)).status).toBe('processed');
  });

  it("keeps tenants apart: one tenant's key neither sees nor references the other's records", async () => {
    const a = await hookflow.newTenant('A');
    const b = await hookflow.newTenant('B');
    const contact = await hookflow.deliver(a.tenantId, a.apiKey, { EntityName: 'Contact', Name: 'Only in A' });
    const contactId = contact.recordIds[0];

    const order = await hookflow.deliver(b.tenantId, b.apiKey, { EntityName: 'Order', Number: 'B-1', ContactId: contactId });
    expect(order.status).toBe('received');
    expect(order.reason).toContain(`ContactId: no Contact record has Id ${contactId}`);

    expect(await hookflow.records(b.tenantId, 'Contact')).toEqual([]);
    expect((await hookflow.records(a.tenantId, 'Contact')).map((r) => r.Name)).toEqual(['Only in A']);
    expect((await hookflow.webhooks(b.tenantId)).map((w) => w.id)).toEqual([order.id]);

    const sameTenantOrder = await hookflow.deliver(a.tenantId, a.apiKey, { EntityName: 'Order', Number: 'A-1', ContactId: contactId });
    expect(sameTenantOrder.status).toBe('processed');
  });

  it('a retried run does not create a second record', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const first = await hookflow.deliver(tenantId, apiKey, example);
    const runner = hookflow.get(WebhookRunnerService);
    // The same run job again, as after a worker crash or a stalled job (another attempt).
    const [runId] = (await hookflow.get(WebhookLogService).get(tenantId, first.id)).runIds;
    const job = {
      runId,
      tenantId,
      webhookId: first.id,
      apiKeyName: 'Test source',
      processId: DEFAULT_PROCESS,
      version: 1,
      writeKey: `${first.id}:${DEFAULT_PROCESS}`,
    };
    expect(await runner.runProcess(job, false)).toBe('completed');
    expect(await hookflow.records(tenantId, 'Lead')).toHaveLength(1);
    expect((await hookflow.waitForWebhook(tenantId, first.id)).recordIds).toEqual(first.recordIds);
  });

  describe('the catalogue endpoints of the reference protocol', () => {
    let apiKey: string;

    beforeAll(async () => {
      ({ apiKey } = await hookflow.newTenant());
    });

    it('get_entities lists the Webhook entities lookup', async () => {
      const response = await apiRequest(hookflow.url, 'POST', `/get_entities/${apiKey}`, { body: { apiKey } });
      expect(response.status).toBe(200);
      const body = response.body as { entities: Array<{ name: string; caption: string; formId: string }> };
      expect(body.entities.map((e) => e.name).sort()).toEqual(['Contact', 'FormSubmit', 'Lead', 'Order', 'OrderProduct']);
      expect(body.entities).toContainEqual({ name: 'Lead', caption: 'Lead', formId: '2b755431-dd89-4f4c-b97b-9a15ebe9cea9' });
      for (const entity of body.entities) expect(Object.keys(entity).sort()).toEqual(['caption', 'formId', 'name']);
    });

    it('get_entity_description describes the columns in the reference envelope', async () => {
      const response = await apiRequest(hookflow.url, 'POST', `/get_entity_description/${apiKey}/Contact`);
      expect(response.status).toBe(200);
      const body = response.body as {
        value: { entityModel: { name: string; fields: Array<Record<string, unknown>> } };
      };
      expect(body).toMatchObject({ value: { isSuccess: true, status: 'ok', code: 0 }, statusCode: 200 });
      expect(body.value.entityModel.name).toBe('Contact');
      const fields = body.value.entityModel.fields;
      expect(fields).toContainEqual({ required: true, name: 'Id', net_type: 'System.Guid', caption: 'Id' });
      expect(fields).toContainEqual({ required: true, name: 'Name', net_type: 'System.String', caption: 'Full name' });
      expect(fields).toContainEqual({ required: false, name: 'Age', net_type: 'System.Int32', caption: 'Age' });
      expect(fields).toContainEqual({ required: false, name: 'BirthDate', net_type: 'System.DateTime', caption: 'Birth date' });
      expect(fields).toContainEqual({
        required: false,
        name: 'IsEmailConfirmed',
        net_type: 'System.Boolean',
        caption: 'IsEmailConfirmed',
      });
      expect(fields).toContainEqual({
        required: false,
        name: 'CountryId',
        net_type: 'System.Guid',
        caption: 'Country',
        lookup: 'Country',
      });
    });

    it.each(['Country', 'Invoice'])('an object outside the lookup (%s) → 404 in the same envelope', async (name) => {
      const response = await apiRequest(hookflow.url, 'POST', `/get_entity_description/${apiKey}/${name}`);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        value: {
          entityModel: null,
          isSuccess: false,
          status: 'error',
          code: 404,
          message: `Object "${name}" is not in the Webhook entities lookup`,
        },
        statusCode: 404,
        code: 'NOT_FOUND',
      });
    });

    it('an unknown key → 401', async () => {
      expect((await apiRequest(hookflow.url, 'POST', `/get_entities/hf_${'B'.repeat(43)}`)).status).toBe(401);
      expect((await apiRequest(hookflow.url, 'POST', `/get_entity_description/hf_${'B'.repeat(43)}/Lead`)).status).toBe(401);
    });

    it('GET → 405', async () => {
      const response = await apiRequest(hookflow.url, 'GET', `/get_entities/${apiKey}`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });
});
