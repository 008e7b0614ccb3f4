import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { WebhookLogService } from '../../src/webhooks/webhook-log.service.js';
import { apiRequest } from '../support/admin-client.js';
import { createDatabase, type TestDatabase } from '../support/databases.js';
import { startTestService, type TestService } from '../support/test-service.js';

/** Viewers read the webhook log: no header that carries a signature or a credential is kept there. */
describe('headers kept in the webhook log', () => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function storedHeaders(tenantId: string, id: string) {
    await hookflow.waitForWebhook(tenantId, id);
    return (await hookflow.get(WebhookLogService).get(tenantId, id)).headers;
  }

  it('drops the signature headers of every scheme and anything named like hmac or auth', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: { EntityName: 'Lead', Contact: 'Ada' },
      headers: {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': 'c2hvcGlmeS1zaWduYXR1cmU=',
        'x-hub-signature': 'sha1=abc',
        'x-hmac': 'deadbeef',
        'x-auth': 'let-me-in',
        'x-api-credential': 'cred-1',
        'x-source': 'landing page',
      },
    });
    expect(response.status).toBe(202);
    const headers = await storedHeaders(tenantId, (response.body as { id: string }).id);

    expect(headers['x-source']).toBe('landing page');
    for (const name of ['x-shopify-hmac-sha256', 'x-hub-signature', 'x-hmac', 'x-auth', 'x-api-credential']) expect(headers).not.toHaveProperty(name);
  });

  it("drops the header the key's own HMAC configuration names, whatever it is called", async () => {
    const { tenantId, apiKey, apiKeyId } = await hookflow.newTenant();
    await hookflow
      .get(ApiKeysService)
      .setSignature(tenantId, apiKeyId, { scheme: 'hmac', secret: 'acme-signing-secret', header: 'X-Acme-Check', algorithm: 'sha256', encoding: 'hex' });
    const body = JSON.stringify({ EntityName: 'Lead', Contact: 'Signed' });
    const signature = createHmac('sha256', 'acme-signing-secret').update(body).digest('hex');
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body,
      headers: { 'content-type': 'application/json', 'x-acme-check': signature },
    });
    expect(response.status).toBe(202);

    const headers = await storedHeaders(tenantId, (response.body as { id: string }).id);

    expect(headers).not.toHaveProperty('x-acme-check');
    expect(JSON.stringify(headers)).not.toContain(signature);
  });
});
