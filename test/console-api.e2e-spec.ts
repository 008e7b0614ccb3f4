import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminApi, apiRequest, sendWebhook, settledWebhook, type ApiResponse } from './support/admin-client.js';
import { cliJson, runCli } from './support/cli.mjs';
import { ConsoleClient, sessionCookieOf, signInRequest } from './support/console-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN = { ADMIN_CLIENT_ID: 'console-e2e-admin', ADMIN_CLIENT_SECRET: 'console-e2e-admin-secret-0123' };
const PASSWORD = 'correct horse battery';
const PROCESS = 'create-object-records-from-webhook';
// Each command starts a process of its own: slow on a loaded machine.
const CLI_TIMEOUT = 90_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function expectError(response: ApiResponse, status: number, message: string | RegExp): void {
  expect({ status: response.status, error: response.body?.statusCode }).toEqual({ status, error: status });
  if (typeof message === 'string') expect(response.body.message).toContain(message);
  else expect(response.body.message).toMatch(message);
}

describe.each(databaseKinds())('web console API (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let url: string;
  let admin: AdminApi;
  let cliEnv: Record<string, string>;
  let tenantA: string;
  let tenantB: string;

  /** A console user made with the command line, as an operator would. */
  async function createUser(email: string, options: string[] = []): Promise<{ id: string; email: string }> {
    return cliJson(['user', 'create', email, '--password-stdin', ...options], cliEnv, `${PASSWORD}\n`);
  }

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { ...ADMIN, CONSOLE_SIGN_IN_LIMIT: '3' });
    url = hookflow.url;
    cliEnv = { DATABASE_URL: database.url };
    admin = await AdminApi.login(url, ADMIN.ADMIN_CLIENT_ID, ADMIN.ADMIN_CLIENT_SECRET);
    tenantA = (await hookflow.newTenant('Acme')).tenantId;
    tenantB = (await hookflow.newTenant('Globex')).tenantId;
    // Each is its own CLI process: started together, they take the time of one.
    await Promise.all([
      createUser('analyst@example.com', ['--tenant', tenantA, '--role', 'analyst']),
      createUser('viewer@example.com', ['--tenant', tenantA, '--role', 'viewer']),
      createUser('admin@example.com', ['--platform-admin']),
      createUser('nobody@example.com'),
    ]);
  }, 120_000);

  // Generous: on a loaded machine the worker may take a while to finish and close.
  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  }, 120_000);

  describe('hookflow user', () => {
    it(
      'creates a user with a generated password shown once, which signs in',
      async () => {
        const created = await cliJson<{ id: string; email: string; password: string; roles: unknown[] }>(
          ['user', 'create', 'Grace@Example.com', '--tenant', tenantB, '--role', 'viewer'],
          cliEnv,
        );
        expect(created).toEqual({
          id: expect.any(String),
          email: 'grace@example.com',
          platformAdmin: false,
          roles: [{ tenantId: tenantB, role: 'viewer' }],
          createdAt: expect.any(String),
          password: expect.stringMatching(/^\S{16,}$/),
        });
        const session = await signInRequest(url, 'grace@example.com', created.password);
        expect(session.status).toBe(200);
        expect(session.body.tenants).toEqual([
          { id: tenantB, name: 'Globex', rateLimitPerMinute: null, role: 'viewer', scopes: expect.arrayContaining(['processes:read']) },
        ]);
      },
      CLI_TIMEOUT,
    );

    it(
      'lists, grants, revokes and deletes users',
      async () => {
        await createUser('temp@example.com');
        const granted = await cliJson<{ roles: unknown[] }>(['user', 'grant', 'temp@example.com', '--tenant', tenantA, '--role', 'analyst'], cliEnv);
        expect(granted.roles).toEqual([{ tenantId: tenantA, role: 'analyst' }]);
        const list = await cliJson<Array<{ email: string; roles: unknown[]; platformAdmin: boolean }>>(['user', 'list'], cliEnv);
        expect(list.find((user) => user.email === 'temp@example.com')?.roles).toEqual([{ tenantId: tenantA, role: 'analyst' }]);
        expect(list.find((user) => user.email === 'admin@example.com')?.platformAdmin).toBe(true);
        expect(JSON.stringify(list)).not.toContain('scrypt');

        const revoked = await cliJson<{ roles: unknown[] }>(['user', 'revoke', 'temp@example.com', '--tenant', tenantA], cliEnv);
        expect(revoked.roles).toEqual([]);

        const client = await ConsoleClient.signIn(url, 'temp@example.com', PASSWORD);
        expect(await cliJson(['user', 'delete', 'temp@example.com'], cliEnv)).toEqual({ email: 'temp@example.com', deleted: true });
        // Its session ends with it.
        expect((await client.get(`/api/tenants/${tenantA}/processes`)).status).toBe(401);
        expect((await runCli(['user', 'delete', 'temp@example.com'], cliEnv)).stderr).toContain('No console user temp@example.com');
      },
      CLI_TIMEOUT,
    );

    it(
      'refuses duplicates, short passwords, unknown roles and tenants, leaving no user behind',
      async () => {
        // Independent mistakes, each its own CLI process, run side by side.
        const [duplicate, short, role, unknownTenant, unknownRole] = await Promise.all([
          runCli(['user', 'create', 'ANALYST@example.com', '--password-stdin'], cliEnv, PASSWORD),
          runCli(['user', 'create', 'short@example.com', '--password-stdin'], cliEnv, 'short'),
          runCli(['user', 'grant', 'viewer@example.com', '--tenant', tenantA, '--role', 'owner'], cliEnv),
          // A user is not left behind when its role cannot be given.
          runCli(['user', 'create', 'lost@example.com', '--tenant', 'no-such-tenant'], cliEnv),
          runCli(['user', 'create', 'lost@example.com', '--tenant', tenantA, '--role', 'owner'], cliEnv),
        ]);
        expect(duplicate.code).toBe(1);
        expect(duplicate.stderr).toContain('exists already');
        expect(short.code).toBe(1);
        expect(short.stderr).toContain('at least 10 characters');
        expect(role.code).toBe(1);
        expect(role.stderr).toContain('Unknown role "owner"');
        expect(unknownTenant.code).toBe(1);
        expect(unknownTenant.stderr).toContain('Tenant no-such-tenant does not exist');
        expect(unknownRole.stderr).toContain('Unknown role "owner"');
        expect((await cliJson<Array<{ email: string }>>(['user', 'list'], cliEnv)).map((user) => user.email)).not.toContain('lost@example.com');
      },
      CLI_TIMEOUT,
    );
  });

  describe('sign-in and sessions', () => {
    it('signs in with an HttpOnly, SameSite=Strict cookie and answers the CSRF token, never the session token', async () => {
      const response = await signInRequest(url, 'Analyst@Example.com ', PASSWORD);
      expect(response.status).toBe(200);
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^hookflow_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        email: 'analyst@example.com',
        platformAdmin: false,
        tenants: [{ id: tenantA, name: 'Acme', rateLimitPerMinute: null, role: 'analyst', scopes: expect.arrayContaining(['processes:write', 'keys:write']) }],
        csrfToken: expect.stringMatching(/^[\w-]{20,}$/),
        expiresAt: expect.any(String),
      });
      const token = sessionCookieOf(response).split('=')[1];
      expect(response.text).not.toContain(token);
      const current = await new ConsoleClient(url, sessionCookieOf(response), response.body.csrfToken).get('/api/session');
      expect(current.status).toBe(200);
      expect(current.body.csrfToken).toBe(response.body.csrfToken);
    });

    it('refuses a wrong password and an unknown email with the same answer', async () => {
      const wrong = await signInRequest(url, 'analyst@example.com', 'not the password');
      const unknown = await signInRequest(url, 'who@example.com', PASSWORD);
      expectError(wrong, 401, 'The email or the password is wrong');
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expectError(await signInRequest(url, 'analyst@example.com', PASSWORD, { origin: 'https://evil.example' }), 403, 'another site');
    });

    it('signs out: the session is refused afterwards, and signing out needs the CSRF token', async () => {
      const client = await ConsoleClient.signIn(url, 'analyst@example.com', PASSWORD);
      expectError(await client.request('DELETE', '/api/session', undefined, false), 403, 'CSRF');
      const out = await client.request('DELETE', '/api/session');
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
      expectError(await client.get(`/api/tenants/${tenantA}/processes`), 401, 'sign in again');
      expectError(await client.get('/api/session'), 401, 'sign in again');
    });

    it('ends sessions after CONSOLE_SESSION_TTL_SECONDS, in every API process', async () => {
      const shortLived = await startTestService(database, { ROLE: 'api', CONSOLE_SESSION_TTL_SECONDS: '4' });
      try {
        const client = await ConsoleClient.signIn(shortLived.url, 'viewer@example.com', PASSWORD);
        expect((await client.get(`/api/tenants/${tenantA}/processes`)).status).toBe(200);
        // The other process knows the session too: it is in the database.
        expect((await new ConsoleClient(url, client.cookie, client.csrfToken).get(`/api/tenants/${tenantA}/processes`)).status).toBe(200);
        await sleep(4500);
        expectError(await client.get(`/api/tenants/${tenantA}/processes`), 401, 'expired');
        expectError(await new ConsoleClient(url, client.cookie, client.csrfToken).get(`/api/tenants/${tenantA}/processes`), 401, 'expired');
      } finally {
        await shortLived.close();
      }
    });

    it('refuses every request that changes something without the session CSRF token', async () => {
      const client = await ConsoleClient.signIn(url, 'analyst@example.com', PASSWORD);
      const path = `/api/tenants/${tenantA}/processes/${PROCESS}`;
      expectError(await client.post(`${path}/deactivate`, {}, false), 403, 'X-CSRF-Token');
      expectError(await client.post(`${path}/deactivate`, {}, 'not-the-token'), 403, 'X-CSRF-Token');
      expectError(await client.request('PUT', path, { definition: {} }, false), 403, 'X-CSRF-Token');
      expectError(await client.request('DELETE', `/api/tenants/${tenantA}/api-keys/whatever`, undefined, false), 403, 'X-CSRF-Token');
      // Nothing changed; with the token, the same request works.
      expect((await client.get(path)).body.active).toBe(true);
      expect((await client.post(`${path}/deactivate`)).body.active).toBe(false);
      expect((await client.post(`${path}/activate`)).body.active).toBe(true);
      // A forged token from another session does not pass either.
      const other = await ConsoleClient.signIn(url, 'analyst@example.com', PASSWORD);
      expectError(await client.post(`${path}/deactivate`, {}, other.csrfToken), 403, 'X-CSRF-Token');
    });
  });

  describe('roles and scopes', () => {
    it('a viewer reads everything of its tenant and changes nothing (403)', async () => {
      const viewer = await ConsoleClient.signIn(url, 'viewer@example.com', PASSWORD);
      for (const path of ['/processes', '/webhooks', '/entities', '/api-keys', '/stats', `/processes/${PROCESS}`]) {
        expect({ path, status: (await viewer.get(`/api/tenants/${tenantA}${path}`)).status }).toEqual({ path, status: 200 });
      }
      expectError(await viewer.post(`/api/tenants/${tenantA}/processes/${PROCESS}/deactivate`), 403, 'processes:write');
      expectError(await viewer.post(`/api/tenants/${tenantA}/api-keys`, { name: 'x' }), 403, 'keys:write');
      expectError(await viewer.post(`/api/tenants/${tenantA}/entities`, { name: 'Thing', fields: [] }), 403, 'catalogue:write');
      expectError(await viewer.post(`/api/tenants/${tenantA}/webhooks/replay`, {}), 403, 'webhooks:write');
      expect((await admin.get(`/api/tenants/${tenantA}/processes/${PROCESS}`)).body.active).toBe(true);
    });

    it('an analyst changes processes, catalogue and keys of its tenant only', async () => {
      const analyst = await ConsoleClient.signIn(url, 'analyst@example.com', PASSWORD);
      expect((await analyst.post(`/api/tenants/${tenantA}/api-keys`, { name: 'Shop' })).status).toBe(201);
      expect((await analyst.post(`/api/tenants/${tenantA}/entities`, { name: 'Ticket', fields: [] })).status).toBe(201);
      expectError(await analyst.get(`/api/tenants/${tenantB}/processes`), 403, 'no role on that tenant');
      expectError(await analyst.post(`/api/tenants/${tenantB}/api-keys`, { name: 'x' }), 403, 'no role on that tenant');
      expectError(await analyst.post('/api/tenants', { name: 'Mine' }), 403, 'platform admin');
      expect((await analyst.get('/api/tenants')).body).toEqual([{ id: tenantA, name: 'Acme', rateLimitPerMinute: null }]);
    });

    it('a user without a role signs in but may open no tenant; a platform admin may do everything', async () => {
      const nobody = await ConsoleClient.signIn(url, 'nobody@example.com', PASSWORD);
      expect((await nobody.get('/api/session')).body.tenants).toEqual([]);
      expectError(await nobody.get(`/api/tenants/${tenantA}/processes`), 403, 'no role on that tenant');
      expectError(await nobody.get('/api/tenants'), 403, 'tenant:read');

      const platform = await ConsoleClient.signIn(url, 'admin@example.com', PASSWORD);
      const session = (await platform.get('/api/session')).body;
      expect(session.platformAdmin).toBe(true);
      expect(session.tenants.map((tenant: { id: string }) => tenant.id)).toEqual(expect.arrayContaining([tenantA, tenantB]));
      const created = await platform.post('/api/tenants', { name: 'Initech' });
      expect(created.status).toBe(201);
      expect((await platform.post(`/api/tenants/${tenantB}/processes/${PROCESS}/deactivate`)).body.active).toBe(false);
      expect((await platform.post(`/api/tenants/${tenantB}/processes/${PROCESS}/activate`)).body.active).toBe(true);
    });

    it(
      'a user with roles on several tenants acts on each with the scopes of its role there',
      async () => {
        await cliJson(['user', 'create', 'both@example.com', '--password-stdin', '--tenant', tenantA, '--role', 'analyst'], cliEnv, PASSWORD);
        await cliJson(['user', 'grant', 'both@example.com', '--tenant', tenantB, '--role', 'viewer'], cliEnv);
        const both = await ConsoleClient.signIn(url, 'both@example.com', PASSWORD);
        const roles = (await both.get('/api/session')).body.tenants.map((tenant: { id: string; role: string }) => [tenant.id, tenant.role]);
        expect(roles).toEqual(
          expect.arrayContaining([
            [tenantA, 'analyst'],
            [tenantB, 'viewer'],
          ]),
        );
        expect((await both.get('/api/tenants')).body.map((tenant: { id: string }) => tenant.id).sort()).toEqual([tenantA, tenantB].sort());
        expect((await both.get(`/api/tenants/${tenantB}/processes`)).status).toBe(200);
        expectError(await both.post(`/api/tenants/${tenantB}/processes/${PROCESS}/deactivate`), 403, 'processes:write');
        expect((await both.post(`/api/tenants/${tenantA}/processes/${PROCESS}/deactivate`)).body.active).toBe(false);
        expect((await both.post(`/api/tenants/${tenantA}/processes/${PROCESS}/activate`)).body.active).toBe(true);
      },
      CLI_TIMEOUT,
    );

    it('keeps access tokens working as before, even next to a session cookie', async () => {
      const viewer = await ConsoleClient.signIn(url, 'viewer@example.com', PASSWORD);
      const response = await admin.request('POST', `/api/tenants/${tenantA}/processes/${PROCESS}/deactivate`, {}, { cookie: viewer.cookie });
      expect(response.status).toBe(200);
      expect((await admin.post(`/api/tenants/${tenantA}/processes/${PROCESS}/activate`)).status).toBe(200);
    });
  });

  describe('dashboard and field-mapping routes', () => {
    it('GET /stats counts webhooks by status per hour, failures of the last 24 h, the rate and the queue', async () => {
      const tenant = await hookflow.newTenant('Stats');
      const processed = await sendWebhook(url, tenant.apiKey, { EntityName: 'Lead', Contact: 'Ada' });
      const kept = await sendWebhook(url, tenant.apiKey, { EntityName: 'Nothing' });
      await settledWebhook(admin, tenant.tenantId, processed);
      await settledWebhook(admin, tenant.tenantId, kept);
      const stats = await admin.get(`/api/tenants/${tenant.tenantId}/stats`);
      expect(stats.status).toBe(200);
      expect(stats.body).toEqual({
        from: expect.any(String),
        to: expect.any(String),
        hours: expect.any(Array),
        totals: { queued: 0, processed: 1, received: 1, failed: 0 },
        last24h: { received: 2, failed: 0, keptWithoutRecord: 1 },
        processingRate: { perMinuteLast15m: 0.13, perMinuteLastHour: 0.03 },
        queued: 0,
        queue: { waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number) },
        instances: { waiting: 0, failed: 1 },
        tasks: { open: 0 },
      });
      expect(stats.body.hours).toHaveLength(24);
      // Both arrived in the current hour (or, at the turn of an hour, the one before).
      const recent = stats.body.hours.slice(-2);
      const sum = (hours: Array<Record<string, number>>, key: string) => hours.reduce((total, hour) => total + hour[key], 0);
      expect({ processed: sum(recent, 'processed'), received: sum(recent, 'received') }).toEqual({ processed: 1, received: 1 });
      expect(sum(stats.body.hours, 'processed') + sum(stats.body.hours, 'received')).toBe(2);
      const last = stats.body.hours.at(-1);
      expect(Date.now() - new Date(last.start).getTime()).toBeLessThan(3_600_000 + 60_000);
      expect(new Date(last.start).getUTCMinutes()).toBe(0);
      expect((await admin.get(`/api/tenants/${tenant.tenantId}/stats`, { hours: '2' })).body.hours).toHaveLength(2);
      expectError(await admin.get(`/api/tenants/${tenant.tenantId}/stats`, { hours: '0' }), 400, 'hours');
      // Other tenants' webhooks are not counted.
      expect((await admin.get(`/api/tenants/${tenantB}/stats`)).body.totals).toEqual({ queued: 0, processed: 0, received: 0, failed: 0 });
      const viewer = await ConsoleClient.signIn(url, 'viewer@example.com', PASSWORD);
      expectError(await viewer.get(`/api/tenants/${tenant.tenantId}/stats`), 403, 'no role');
    });

    it('POST /entities/:name/mapping tells which parameters map, which do not and which values fail', async () => {
      const viewer = await ConsoleClient.signIn(url, 'viewer@example.com', PASSWORD);
      const response = await viewer.post(`/api/tenants/${tenantA}/entities/Lead/mapping`, {
        payload: {
          EntityName: 'Lead',
          Contact: 'Ada',
          Country: 'Canada',
          Budget: 'a lot',
          utm_source: 'ads',
          Id: 'x',
          CountryId: '00000000-0000-4000-8000-000000000000',
        },
      });
      expect(response.status).toBe(200);
      const outcome = Object.fromEntries(
        response.body.parameters.map((p: { name: string; outcome: string; problem: string | null }) => [p.name, [p.outcome, p.problem]]),
      );
      expect(outcome).toEqual({
        EntityName: ['ignored', null],
        Contact: ['mapped', null],
        Country: ['lookup-by-name', null],
        Budget: ['fails', expect.stringContaining('a lot')],
        utm_source: ['unmapped', null],
        Id: ['system', expect.any(String)],
        CountryId: ['fails', 'no Country record has Id 00000000-0000-4000-8000-000000000000'],
      });
      expect(response.body.columns).toContainEqual({ name: 'CountryId', caption: 'Country', type: 'System.Guid', required: false, lookup: 'Country' });
      expect(response.body.missingRequired).toEqual([]);

      const contact = await viewer.post(`/api/tenants/${tenantA}/entities/Contact/mapping`, { payload: { Email: 'ada@example.com' } });
      expect(contact.body.missingRequired).toEqual(['Name']);
      expectError(await viewer.post(`/api/tenants/${tenantA}/entities/Nothing/mapping`, { payload: {} }), 404, 'Nothing');
      expectError(await viewer.post(`/api/tenants/${tenantA}/entities/Lead/mapping`, { payload: 'x' }), 400, 'payload');
    });

    it('POST /processes/validate names the JSON path of each problem', async () => {
      const base = (await admin.get(`/api/tenants/${tenantA}/processes/${PROCESS}`)).body.definition;
      const good = await admin.post(`/api/tenants/${tenantA}/processes/validate`, { definition: base });
      expect(good.body).toEqual({ valid: true, problems: [] });
      const broken = { ...base, steps: [{ ...base.steps[0], type: 'resolve-objekt' }, ...base.steps.slice(1)] };
      const bad = await admin.post(`/api/tenants/${tenantA}/processes/validate`, { definition: broken });
      expect(bad.body.valid).toBe(false);
      expect(bad.body.problems).toContainEqual({ path: '/steps/0/type', message: expect.stringContaining('unknown step type "resolve-objekt"') });
    });
  });

  describe('the console files', () => {
    it('serves the app at /console with its content types, an SPA fallback and nothing outside its folder', async () => {
      const index = await apiRequest(url, 'GET', '/console');
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = index.text;
      expect(html).toContain('<div id="app">');
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
      const asset = await apiRequest(url, 'GET', script);
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect(asset.text.length).toBeGreaterThan(1000);
      expect(html).not.toMatch(/https?:\/\//);

      const route = await apiRequest(url, 'GET', `/console/t/${tenantA}/processes`);
      expect(route.status).toBe(200);
      expect(route.text).toBe(html);
      const missing = await apiRequest(url, 'GET', '/console/assets/missing.js');
      expect(missing.status).toBe(404);
      expect((missing.body as { message: string }).message).toContain('No console file assets/missing.js');
      for (const path of [
        '/console/../package.json',
        '/console/%2e%2e/package.json',
        '/console/..%2fpackage.json',
        '/console/%2e%2e%2f%2e%2e%2fpackage.json',
      ]) {
        const response = await apiRequest(url, 'GET', path);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(response.text).not.toContain('"name": "hookflow"');
      }
    });
  });

  // Last: it leaves this address blocked for the window.
  describe('rate limit of failed sign-ins', () => {
    it('makes an (email, address) wait after CONSOLE_SIGN_IN_LIMIT failures, in every process, without locking the email', async () => {
      for (let i = 0; i < 3; i++) expect((await signInRequest(url, 'viewer@example.com', 'wrong password!')).status).toBe(401);
      const limited = await signInRequest(url, 'viewer@example.com', PASSWORD);
      expectError(limited, 429, 'Too many failed sign-ins');
      // The first wait past the limit is short; it doubles with each further failure.
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      const other = await startTestService(database, { ROLE: 'api', CONSOLE_SIGN_IN_LIMIT: '3' });
      try {
        expect((await signInRequest(other.url, 'viewer@example.com', PASSWORD)).status).toBe(429);
      } finally {
        await other.close();
      }
      // Other emails are not limited by it (test/security/identity.e2e-spec.ts: nor other addresses).
      expect((await signInRequest(url, 'analyst@example.com', PASSWORD)).status).toBe(200);
    });

    it('refuses an address after four times the limit across emails', async () => {
      let failures = 0;
      for (let i = 0; failures < 12; i++) {
        const response = await signInRequest(url, `guess-${i}@example.com`, 'wrong password!');
        if (response.status === 429) break;
        expect(response.status).toBe(401);
        failures++;
      }
      expectError(await signInRequest(url, 'admin@example.com', PASSWORD), 429, 'Too many failed sign-ins');
    });
  });

  it('keeps passwords and session tokens out of the database in clear', async () => {
    const users = await admin.get('/api/tenants');
    expect(users.status).toBe(200);
    const { DataSource } = await import('typeorm');
    const rows = await hookflow.get(DataSource).query('SELECT * FROM console_users');
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(rows.every((row: { password_hash: string }) => row.password_hash.startsWith('scrypt$'))).toBe(true);
    const sessions: Array<{ token_hash: string }> = await hookflow.get(DataSource).query('SELECT token_hash FROM console_sessions');
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
  });
});
