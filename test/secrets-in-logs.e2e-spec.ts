import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
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
    const api = (path: string, token: string, method = 'GET', body?: unknown) =>
      fetch(`${hookflow.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const tokenResponse = await fetch(`${hookflow.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`log-admin:${adminSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    await fetch(`${hookflow.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'log-admin', client_secret: `${adminSecret}-wrong` }) });

    const tenant = (await (await api('/api/tenants', token, 'POST', { name: 'Logs' })).json()) as { id: string };
    const key = (await (await api(`/api/tenants/${tenant.id}/api-keys`, token, 'POST', { name: 'Signed source' })).json()) as { id: string; apiKey: string };
    const client = (await (await api('/api/clients', token, 'POST', { kind: 'tenant', tenantId: tenant.id, scopes: ['webhooks:read'] })).json()) as { clientSecret: string };
    const signingSecret = 'github-signing-secret-for-logs';
    expect((await api(`/api/tenants/${tenant.id}/api-keys/${key.id}/signature`, token, 'PUT', { scheme: 'github', secret: signingSecret })).status).toBe(200);

    const body = JSON.stringify({ EntityName: 'FormSubmit', Name: 'Logged?' });
    const signature = `sha256=${createHmac('sha256', signingSecret).update(body).digest('hex')}`;
    const sent = await hookflow.post(`/webhooks/${key.apiKey}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': signature, authorization: `Bearer ${token}` });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await hookflow.waitForWebhook(tenant.id, id);
    await hookflow.post(`/webhooks/${key.apiKey}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' });
    await hookflow.post(`/webhooks/${key.apiKey}x`, body, { 'content-type': 'application/json' });
    await api(`/api/tenants/${tenant.id}/webhooks`, `${token}x`);

    const detail = await (await api(`/api/tenants/${tenant.id}/webhooks/${id}`, token)).text();
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
    const sent = await hookflow.post(`/webhooks/${apiKey}`, JSON.stringify({ EntityName: 'FormSubmit', Name: 'Cookie?' }), {
      'content-type': 'application/json',
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
    });
    const { id } = (await sent.json()) as { id: string };
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
