import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { SIGNATURE_SCHEMES, SIGNATURE_SETTINGS, type SignatureConfig } from '../src/tenants/signature-schemes/index.js';
import { AdminApi, apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const body = JSON.stringify({ EntityName: 'FormSubmit', Name: 'Signed', Email: 'signed@example.com' });
const ADMIN = { id: 'signatures-admin', secret: 'signatures-admin-secret-0123' };

describe('signature verification per API key', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { API_KEY_CACHE_MS: '0', ADMIN_CLIENT_ID: ADMIN.id, ADMIN_CLIENT_SECRET: ADMIN.secret });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function signedKey(config: SignatureConfig) {
    const tenant = await hookflow.newTenant();
    await hookflow.get(ApiKeysService).setSignature(tenant.tenantId, tenant.apiKeyId, config);
    return tenant;
  }

  async function send(apiKey: string, headers: Record<string, string>, payload = body) {
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
    const json = response.body as Record<string, unknown>;
    logs.push(JSON.stringify(json));
    return { status: response.status, body: json };
  }

  describe('Standard Webhooks, signed by the standardwebhooks package', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const signer = new StandardWebhook(secret);

    function headersFor(id: string, at: Date, payload = body) {
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(id, at, payload),
      };
    }

    it('accepts a good signature and records the webhook', async () => {
      const { tenantId, apiKey } = await signedKey({ scheme: 'standard-webhooks', secret });
      const result = await send(apiKey, headersFor('msg_1', new Date()));
      expect(result.status).toBe(202);
      expect((await hookflow.waitForWebhook(tenantId, String(result.body.id))).status).toBe('processed');
    });

    it('refuses a wrong signature, a changed body, a missing header and a stale timestamp with 401', async () => {
      const { apiKey } = await signedKey({ scheme: 'standard-webhooks', secret });
      const good = headersFor('msg_2', new Date());
      const otherSecret = new StandardWebhook(`whsec_${randomBytes(24).toString('base64')}`);
      expect(await send(apiKey, { ...good, 'webhook-signature': otherSecret.sign('msg_2', new Date(), body) })).toEqual({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: 'Invalid standard-webhooks signature: no signature matches', code: 'INVALID_SIGNATURE' },
      });
      expect((await send(apiKey, good, body.replace('Signed', 'Forged'))).status).toBe(401);
      expect((await send(apiKey, { 'webhook-id': 'msg_2' })).body.message).toMatch(/webhook-timestamp and webhook-signature headers are required/);
      const stale = headersFor('msg_3', new Date(Date.now() - 10 * 60_000));
      expect((await send(apiKey, stale)).body.message).toBe('Invalid standard-webhooks signature: the signature timestamp is more than 300 s away from now');
    });

    it('a replayed delivery (same webhook-id) is acknowledged as a duplicate, not processed twice', async () => {
      const { tenantId, apiKey } = await signedKey({ scheme: 'standard-webhooks', secret });
      const headers = headersFor('msg_replayed', new Date());
      const first = await send(apiKey, headers);
      const again = await send(apiKey, headers);
      expect(again.body).toMatchObject({ id: first.body.id, duplicate: true });
      await hookflow.waitForWebhook(tenantId, String(first.body.id));
      expect(await hookflow.records(tenantId, 'FormSubmit')).toHaveLength(1);
    });
  });

  describe('Stripe, signed by the stripe package', () => {
    const secret = `whsec_${randomBytes(16).toString('hex')}`;
    const stripe = new Stripe('sk_test_hookflow');
    const event = JSON.stringify({ id: 'evt_1', type: 'checkout.session.completed', EntityName: 'FormSubmit', Name: 'Stripe' });

    it('accepts the test header of the stripe package and deduplicates by event id', async () => {
      const { tenantId, apiKey } = await signedKey({ scheme: 'stripe', secret });
      const header = stripe.webhooks.generateTestHeaderString({ payload: event, secret });
      const first = await send(apiKey, { 'stripe-signature': header }, event);
      expect(first.status).toBe(202);
      const resent = stripe.webhooks.generateTestHeaderString({ payload: event, secret });
      expect((await send(apiKey, { 'stripe-signature': resent }, event)).body).toMatchObject({ id: first.body.id, duplicate: true });
      expect((await hookflow.waitForWebhook(tenantId, String(first.body.id))).status).toBe('processed');
    });

    it('refuses a signature made with another secret, and an expired one', async () => {
      const { apiKey } = await signedKey({ scheme: 'stripe', secret });
      const wrong = stripe.webhooks.generateTestHeaderString({ payload: event, secret: 'whsec_other_secret_value' });
      expect((await send(apiKey, { 'stripe-signature': wrong }, event)).status).toBe(401);
      const old = stripe.webhooks.generateTestHeaderString({ payload: event, secret, timestamp: Math.floor(Date.now() / 1000) - 3600 });
      expect((await send(apiKey, { 'stripe-signature': old }, event)).body.message).toMatch(/^Invalid stripe signature: the signature timestamp/);
    });
  });

  it.each([
    ['github', 'x-hub-signature-256', (secret: string, payload: string) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`],
    ['shopify', 'x-shopify-hmac-sha256', (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64')],
  ] as const)('%s signatures over the raw body', async (scheme, header, sign) => {
    const secret = randomBytes(20).toString('hex');
    const { apiKey } = await signedKey({ scheme, secret });
    // Spacing that a re-serialisation would lose: the signature covers the bytes as sent.
    const spaced = '{ "EntityName" : "FormSubmit",   "Name": "Raw" }';
    expect((await send(apiKey, { [header]: sign(secret, spaced) }, spaced)).status).toBe(202);
    expect((await send(apiKey, { [header]: sign(secret, spaced) }, JSON.stringify(JSON.parse(spaced)))).status).toBe(401);
    expect((await send(apiKey, {}, spaced)).body.message).toMatch(new RegExp(`^Invalid ${scheme} signature: the .* header is required$`, 'i'));
  });

  it('generic HMAC with a header, algorithm, encoding and prefix of your choice, on form bodies too', async () => {
    const secret = 'generic-secret-1234';
    const { apiKey } = await signedKey({ scheme: 'hmac', secret, header: 'X-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' });
    const form = 'EntityName=FormSubmit&Name=Form+signed';
    const signature = `sha512=${createHmac('sha512', secret).update(form).digest('base64')}`;
    const ok = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': signature },
    });
    expect(ok.status).toBe(202);
    const multipart = new FormData();
    multipart.append('Name', 'x');
    const refused = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: multipart, headers: { 'x-signature': signature } });
    expect(refused.status).toBe(401);
    expect((refused.body as { message: string }).message).toContain('not multipart');
  });

  describe('the admin API, whose signature body the schemes declare', () => {
    it('documents every scheme and every setting of a scheme', async () => {
      const document = (await apiRequest(hookflow.url, 'GET', '/docs-json')).body;
      const schema = document.components.schemas.SignatureDto;
      expect(schema.properties.scheme.enum).toEqual(SIGNATURE_SCHEMES);
      expect(Object.keys(schema.properties).sort()).toEqual(['scheme', 'secret', ...SIGNATURE_SETTINGS.map((setting) => setting.name)].sort());
      expect(schema.properties.toleranceSeconds).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: 3600,
        description: expect.stringMatching(/^standard-webhooks, stripe: /),
      });
      expect(schema.properties.algorithm).toMatchObject({ type: 'string', enum: ['sha256', 'sha512'] });
    });

    it("sets a key's signature with the settings of its scheme and refuses what its scheme refuses", async () => {
      const admin = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
      const { tenantId, apiKeyId, apiKey } = await hookflow.newTenant();
      const path = `/api/tenants/${tenantId}/api-keys/${apiKeyId}/signature`;
      const hmacConfig = { scheme: 'hmac', secret: 'generic-secret-1234', header: 'X-Check', algorithm: 'sha256', encoding: 'hex' };
      expect((await admin.put(path, { ...hmacConfig, scheme: 'paypal' })).status).toBe(400);
      expect((await admin.put(path, { ...hmacConfig, algorithm: 'md5' })).body.message).toContain('algorithm');
      expect((await admin.put(path, { ...hmacConfig, colour: 'blue' })).body.message).toContain('colour');
      expect((await admin.put(path, { scheme: 'stripe', secret: 'whsec_0123456789', toleranceSeconds: 0 })).status).toBe(400);
      expect((await admin.put(path, { scheme: 'hmac', secret: 'generic-secret-1234' })).body.message).toBe(
        'header: the name of the signature header is required',
      );
      const set = await admin.put(path, hmacConfig);
      expect(set.status).toBe(200);
      expect(set.body.signatureScheme).toBe('hmac');
      const signature = createHmac('sha256', hmacConfig.secret).update(body).digest('hex');
      expect((await send(apiKey, { 'x-check': signature })).status).toBe(202);
      expect((await send(apiKey, { 'x-check': 'f'.repeat(64) })).status).toBe(401);
    });
  });

  it('never shows a secret: not in responses, not in the key list', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const { tenantId, apiKeyId } = await signedKey({ scheme: 'standard-webhooks', secret });
    const listed = await hookflow.get(ApiKeysService).list(tenantId);
    expect(listed.find((key) => key.id === apiKeyId)).toMatchObject({ signatureScheme: 'standard-webhooks' });
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6, 20));
    expect(logs.join('\n')).not.toContain(secret.slice(6, 20));
  });
});
