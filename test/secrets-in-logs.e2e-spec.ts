import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { apiRequest, requestToken } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { ConsoleClient, signInRequest } from './support/console-client.js';
import { UsersService } from '../src/auth/users.service.js';
import { CapturingLogger } from './support/capturing-logger.js';

describe('secrets never reach the logs or the traces', () => {
  const adminSecret = 'admin-secret-for-the-log-test-0123';
  const logger = new CapturingLogger();
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: 'log-admin', ADMIN_CLIENT_SECRET: adminSecret }, { logger });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  it('through tokens, keys, signatures, failures and traces', async () => {
    const tokenResponse = await requestToken(hookflow.url, {
      basic: { clientId: 'log-admin', clientSecret: adminSecret },
      form: { grant_type: 'client_credentials' },
    });
    const { access_token: token } = tokenResponse.body as { access_token: string };
    await requestToken(hookflow.url, { json: { grant_type: 'client_credentials', client_id: 'log-admin', client_secret: `${adminSecret}-wrong` } });

    const tenant = (await apiRequest(hookflow.url, 'POST', '/api/tenants', { token, body: { name: 'Logs' } })).body as { id: string };
    const key = (await apiRequest(hookflow.url, 'POST', `/api/tenants/${tenant.id}/api-keys`, { token, body: { name: 'Signed source' } })).body as {
      id: string;
      apiKey: string;
    };
    const client = (await apiRequest(hookflow.url, 'POST', '/api/clients', { token, body: { kind: 'tenant', tenantId: tenant.id, scopes: ['webhooks:read'] } }))
      .body as { clientSecret: string };
    const signingSecret = 'github-signing-secret-for-logs';
    expect(
      (
        await apiRequest(hookflow.url, 'PUT', `/api/tenants/${tenant.id}/api-keys/${key.id}/signature`, {
          token,
          body: { scheme: 'github', secret: signingSecret },
        })
      ).status,
    ).toBe(200);

    const body = JSON.stringify({ EntityName: 'FormSubmit', Name: 'Logged?' });
    const signature = `sha256=${createHmac('sha256', signingSecret).update(body).digest('hex')}`;
    const sent = await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { token, body, headers: { 'x-hub-signature-256': signature } });
    expect(sent.status).toBe(202);
    const { id } = sent.body as { id: string };
    await hookflow.waitForWebhook(tenant.id, id);
    await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { body, headers: { 'x-hub-signature-256': 'sha256=00' } });
    await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}x`, { body });
    await apiRequest(hookflow.url, 'GET', `/api/tenants/${tenant.id}/webhooks`, { token: `${token}x` });

    const detail = (await apiRequest(hookflow.url, 'GET', `/api/tenants/${tenant.id}/webhooks/${id}`, { token })).text;
    expect(detail).toContain('Logged?');
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of [adminSecret, token, key.apiKey, client.clientSecret, signingSecret, signature]) {
      expect(logger.lines.join('\n')).not.toContain(secret);
      expect(detail).not.toContain(secret);
    }
  });

  it('through console sign-ins, sessions and cookies sent with webhooks', async () => {
    const password = 'console password for the log test';
    const { tenantId, apiKey } = await hookflow.newTenant('Console logs');
    await hookflow.get(UsersService).create('logs@example.com', password);
    await hookflow.get(UsersService).grant('logs@example.com', tenantId, 'analyst');
    expect((await signInRequest(hookflow.url, 'logs@example.com', `${password}-wrong`)).status).toBe(401);
    const session = await ConsoleClient.signIn(hookflow.url, 'logs@example.com', password);
    const token = session.cookie.split('=')[1];
    expect((await session.post(`/api/tenants/${tenantId}/processes/nothing/deactivate`, {}, false)).status).toBe(403);
    const sent = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: { EntityName: 'FormSubmit', Name: 'Cookie?' },
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    });
    const { id } = sent.body as { id: string };
    await hookflow.waitForWebhook(tenantId, id);
    const detail = (await session.get(`/api/tenants/${tenantId}/webhooks/${id}`)).text;
    expect(detail).toContain('Cookie?');
    await session.request('DELETE', '/api/session');
    for (const secret of [password, token, session.csrfToken]) {
      expect(logger.lines.join('\n')).not.toContain(secret);
      expect(detail).not.toContain(secret);
    }
  });
});
