import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { UsersService } from '../../src/auth/users.service.js';
import { AdminApi, apiRequest, getToken, pollUntil, readResponse, requestToken, type ApiResponse } from '../support/admin-client.js';
import { cliJson } from '../support/cli.mjs';
import { ConsoleClient, signInRequest } from '../support/console-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { freePort } from '../support/redis-server.mjs';
import { startTestService, type TestService } from '../support/test-service.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

const ADMIN = { ADMIN_CLIENT_ID: 'identity-e2e-admin', ADMIN_CLIENT_SECRET: 'identity-e2e-admin-secret-0123' };
const PASSWORD = 'correct horse battery';

/** A POST from another loopback address (127.0.0.0/8 all reach the service on Linux). */
function postFrom(localAddress: string, target: string, body: string, headers: Record<string, string>): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: 'POST', localAddress, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        resolve(readResponse(new Response(Buffer.concat(chunks), { status: res.statusCode, headers })));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function signInFrom(localAddress: string, baseUrl: string, email: string, password: string): Promise<ApiResponse> {
  return postFrom(localAddress, `${baseUrl}/api/session`, JSON.stringify({ email, password }), { 'content-type': 'application/json' });
}

function tokenFrom(localAddress: string, baseUrl: string, clientId: string, clientSecret: string): Promise<ApiResponse> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
  return postFrom(localAddress, `${baseUrl}/oauth/token`, body, { 'content-type': 'application/x-www-form-urlencoded' });
}

/** `node dist/main.js`: the queue dashboard's files cannot load in the test runner. */
async function startBuiltService(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `test-${randomBytes(6).toString('hex')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Started') && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!output.includes('Started')) {
    child.kill();
    throw new Error(`dist/main.js did not start: ${output}`);
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url: `http://127.0.0.1:${port}`, stop };
}

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe.each(databaseKinds())('identity and the admin edges (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let url: string;
  let users: UsersService;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ...ADMIN, ROLE: 'api', CONSOLE_SIGN_IN_LIMIT: '5' });
    url = hookflow.url;
    users = hookflow.get(UsersService);
    const tenant = (await hookflow.newTenant('Acme')).tenantId;
    await users.create('race@example.com', PASSWORD, { tenantId: tenant, role: 'viewer' });
    await users.create('victim@example.com', PASSWORD, { tenantId: tenant, role: 'viewer' });
    await users.create('changer@example.com', PASSWORD, { tenantId: tenant, role: 'viewer' });
    await users.create('viewer@example.com', PASSWORD, { tenantId: tenant, role: 'viewer' });
  }, 120_000);

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  }, 120_000);

  describe('sign-in limit', () => {
    it('checks at most CONSOLE_SIGN_IN_LIMIT passwords of 40 parallel wrong ones', async () => {
      const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => signInFrom('127.0.0.5', url, 'race@example.com', `wrong password ${i}`)));
      const statuses = responses.map((response) => response.status);
      const checked = statuses.filter((status) => status === 401).length;
      // Parallel attempts may see each other and all wait: fewer than the limit is fine, more is not.
      expect(checked).toBeGreaterThanOrEqual(1);
      expect(checked).toBeLessThanOrEqual(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(40 - checked);
      const limited = responses.find((response) => response.status === 429)!;
      expect(limited.body.message).toContain('Too many failed sign-ins');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('does not lock the account: the right password from another address still signs in', async () => {
      for (let i = 0; i < 8; i++) await signInFrom('127.0.0.6', url, 'victim@example.com', 'wrong password!');
      expect((await signInFrom('127.0.0.6', url, 'victim@example.com', PASSWORD)).status).toBe(429);
      expect((await signInFrom('127.0.0.7', url, 'victim@example.com', PASSWORD)).status).toBe(200);
    });
  });

  describe('revoking and rotating OAuth clients', () => {
    async function tenantClient(admin: AdminApi): Promise<{ clientId: string; clientSecret: string; tenantId: string }> {
      const { tenantId } = await hookflow.newTenant('Clients');
      const created = await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['tenant:read'] });
      expect(created.status).toBe(201);
      return { ...created.body, tenantId };
    }

    it('rotates a tenant client over the API: the old secret and its tokens stop working in every process', async () => {
      const admin = await AdminApi.login(url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
      const client = await tenantClient(admin);
      const oldToken = await getToken(url, client.clientId, client.clientSecret);
      const other = await startTestService(database, { ROLE: 'api', API_KEY_CACHE_MS: '300' });
      try {
        expect((await apiRequest(other.url, 'GET', `/api/tenants/${client.tenantId}`, { token: oldToken })).status).toBe(200);
        const rotated = await admin.post(`/api/clients/${client.clientId}/rotate`);
        expect(rotated.status).toBe(200);
        expect(rotated.body).toEqual({ clientId: client.clientId, clientSecret: expect.stringMatching(/^hfs_/) });
        expect((await apiRequest(url, 'GET', `/api/tenants/${client.tenantId}`, { token: oldToken })).status).toBe(401);
        await pollUntil(
          () => apiRequest(other.url, 'GET', `/api/tenants/${client.tenantId}`, { token: oldToken }),
          (response) => response.status === 401,
          10_000,
          'the old token refused by the other process',
        );
        const oldSecret = await requestToken(url, { basic: client, form: { grant_type: 'client_credentials' } });
        expect({ status: oldSecret.status, error: oldSecret.body.error }).toEqual({ status: 401, error: 'invalid_client' });
        const newToken = await getToken(url, client.clientId, rotated.body.clientSecret);
        expect((await apiRequest(other.url, 'GET', `/api/tenants/${client.tenantId}`, { token: newToken })).status).toBe(200);
      } finally {
        await other.close();
      }
    });

    it('revokes a client: no more tokens, and the ones it has are refused; the list shows it', async () => {
      const admin = await AdminApi.login(url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
      const client = await tenantClient(admin);
      const token = await getToken(url, client.clientId, client.clientSecret);
      expect((await apiRequest(url, 'GET', '/api/clients', { token })).status).toBe(403);
      expect((await apiRequest(url, 'POST', `/api/clients/${client.clientId}/revoke`, { token })).status).toBe(403);
      const revoked = await admin.post(`/api/clients/${client.clientId}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ clientId: client.clientId, kind: 'tenant', revokedAt: expect.any(String) });
      expect((await apiRequest(url, 'GET', `/api/tenants/${client.tenantId}`, { token })).status).toBe(401);
      expect((await requestToken(url, { basic: client, form: { grant_type: 'client_credentials' } })).status).toBe(401);
      const list = await admin.get('/api/clients');
      expect(list.status).toBe(200);
      expect(list.text).not.toContain('hash');
      expect(list.body.find((entry: { clientId: string }) => entry.clientId === client.clientId)).toMatchObject({ revokedAt: expect.any(String) });
      expect((await admin.post('/api/clients/hfc_nobody/revoke')).status).toBe(404);
    });

    it('rotates and revokes with the command line', async () => {
      const admin = await AdminApi.login(url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
      const client = await tenantClient(admin);
      const env = { DATABASE_URL: database.url };
      const rotated = await cliJson<{ clientId: string; clientSecret: string }>(['client', 'rotate', client.clientId], env);
      expect(rotated.clientId).toBe(client.clientId);
      expect((await requestToken(url, { basic: client, form: { grant_type: 'client_credentials' } })).status).toBe(401);
      await getToken(url, client.clientId, rotated.clientSecret);
      await cliJson(['client', 'revoke', client.clientId], env);
      const list = await cliJson<Array<{ clientId: string; revokedAt: string | null }>>(['client', 'list'], env);
      expect(list.find((entry) => entry.clientId === client.clientId)?.revokedAt).toEqual(expect.any(String));
    }, 120_000);

    it('rotates the bootstrap client when ADMIN_CLIENT_SECRET changes', async () => {
      const oldToken = await getToken(url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
      const newSecret = 'identity-e2e-admin-secret-rotated';
      const restarted = await startTestService(database, { ROLE: 'api', ADMIN_CLIENT_ID: ADMIN.ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET: newSecret });
      try {
        const old = await requestToken(restarted.url, {
          basic: { clientId: ADMIN.ADMIN_CLIENT_ID, clientSecret: ADMIN.ADMIN_CLIENT_SECRET },
          form: { grant_type: 'client_credentials' },
        });
        expect(old.status).toBe(401);
        expect((await apiRequest(restarted.url, 'GET', '/api/tenants', { token: oldToken })).status).toBe(401);
        const token = await getToken(restarted.url, ADMIN.ADMIN_CLIENT_ID, newSecret);
        expect((await apiRequest(restarted.url, 'GET', '/api/clients', { token })).status).toBe(200);
      } finally {
        await restarted.close();
        // Back to the first secret, for the tests after this one.
        await (await startTestService(database, { ROLE: 'api', ...ADMIN })).close();
      }
    });
  });

  describe('password change', () => {
    it('ends the sessions of the user', async () => {
      const console = await ConsoleClient.signIn(url, 'changer@example.com', PASSWORD);
      expect((await console.get('/api/session')).status).toBe(200);
      await users.setPassword('changer@example.com', 'a brand new password');
      expect((await console.get('/api/session')).status).toBe(401);
      expect((await console.get('/api/tenants')).status).toBe(401);
      expect((await signInRequest(url, 'changer@example.com', 'a brand new password')).status).toBe(200);
    });
  });

  describe('hostile input', () => {
    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('answers 403 for the tenant "%s" with a console session', async (tenantId) => {
      const console = await ConsoleClient.signIn(url, 'viewer@example.com', PASSWORD);
      const response = await console.get(`/api/tenants/${tenantId}/processes`);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    });

    it('refuses an admin body nested 3,000 levels with a 400 that says why', async () => {
      const token = (
        await requestToken(url, { json: { grant_type: 'client_credentials', client_id: ADMIN.ADMIN_CLIENT_ID, client_secret: ADMIN.ADMIN_CLIENT_SECRET } })
      ).body as {
        access_token: string;
      };
      const response = await apiRequest(url, 'POST', '/api/tenants', { token: token.access_token, body: { name: nested(3000) } });
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'INVALID_BODY' });
      expect(response.body.message).toContain('nested deeper than 64 levels');
    });

    it('refuses a console sign-in body nested 3,000 levels with a 400', async () => {
      const response = await apiRequest(url, 'POST', '/api/session', { body: { email: nested(3000), password: 'x' } });
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'INVALID_BODY' });
    });
  });

  describe('queue dashboard and token endpoint', () => {
    it('limits failed client authentications per address: 429 slow_down with Retry-After', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await tokenFrom('127.0.0.8', url, `hfc_guess${i}`, 'wrong secret')).status);
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      const limited = await tokenFrom('127.0.0.8', url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
      expect({ status: limited.status, error: limited.body.error }).toEqual({ status: 429, error: 'slow_down' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other addresses are not limited by it.
      expect((await tokenFrom('127.0.0.9', url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET)).status).toBe(200);
    }, 60_000);

    it('limits failed authentications per client id, from any number of addresses', async () => {
      const admin = await AdminApi.login(url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
      const { tenantId } = await hookflow.newTenant('Guessed');
      const client = (await admin.post('/api/clients', { kind: 'tenant', tenantId, scopes: ['tenant:read'] })).body as { clientId: string };
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => tokenFrom(`127.0.1.${i + 1}`, url, client.clientId, 'wrong secret')));
      const checked = results.filter((response) => response.status === 401).length;
      expect(checked).toBeLessThanOrEqual(20);
      expect(results.filter((response) => response.status === 429)).toHaveLength(30 - checked);
      // Parallel attempts may see each other and wait: the rest of the limit goes one by one.
      let failures = checked;
      let last: ApiResponse | undefined;
      for (let i = 0; i <= 20; i++) {
        last = await tokenFrom(`127.0.2.${i + 1}`, url, client.clientId, 'wrong secret');
        if (last.status !== 401) break;
        failures++;
      }
      expect(failures).toBeLessThanOrEqual(20);
      expect({ status: last!.status, error: last!.body.error }).toEqual({ status: 429, error: 'slow_down' });
    }, 60_000);

    it('refuses cross-site changes to the queue dashboard, even with cached Basic credentials', async () => {
      const built = await startBuiltService({ DATABASE_URL: database.url, ...ADMIN });
      try {
        const basic = `Basic ${Buffer.from(`${ADMIN.ADMIN_CLIENT_ID}:${ADMIN.ADMIN_CLIENT_SECRET}`).toString('base64')}`;
        const add = (headers: Record<string, string>) =>
          apiRequest(built.url, 'POST', '/queues/api/queues/webhooks/add', {
            body: { name: 'evil', data: {} },
            headers: { authorization: basic, 'content-type': 'application/json', ...headers },
          });
        expect((await add({ origin: 'http://evil.test' })).status).toBe(403);
        expect((await add({ referer: 'http://evil.test/page' })).status).toBe(403);
        expect((await add({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
        const page = await apiRequest(built.url, 'GET', '/queues/api/queues', { headers: { authorization: basic, origin: 'http://evil.test' } });
        expect(page.status).toBe(200);
        const host = new URL(built.url).host;
        expect((await add({ origin: `http://${host}` })).status).not.toBe(403);
      } finally {
        await built.stop();
      }
    }, 90_000);
  });
});
