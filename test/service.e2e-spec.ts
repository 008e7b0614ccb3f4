import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiRequest, type ApiResponse } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { freePort, startRedis, type PrivateRedis } from './support/redis-server.mjs';
import { startTestService, type TestService } from './support/test-service.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const PROCESSES = fileURLToPath(new URL('../processes', import.meta.url));
const example = { Contact: 'New user', Email: 'new_user@gmail.com', EntityName: 'Lead' };

/** Starts `node dist/main.js` (what `npm start` runs) and waits for it to exit. */
function startMain(env: Record<string, string>, timeoutMs = 15_000): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('starting the service', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('without a Redis, exits at once with one line that says how to get one', async () => {
    const port = await freePort();
    const result = await startMain({ REDIS_URL: `redis://127.0.0.1:${port}`, DATABASE_URL: database.url, PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(10_000);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(lines[0]).toContain('docker compose up -d redis');
  });

  it('warns loudly when Redis may evict queued webhooks', async () => {
    const redis = await startRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 15_000;
      while (!output.includes('Started') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      // Not a terminal: one JSON object per line on stdout.
      const lines = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: expect.stringContaining('maxmemory-policy is "allkeys-lru": under memory pressure Redis may evict queued webhooks'),
        }),
      );
      expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringMatching(/^Started \(role all, sqlite database\)/) }));
    } finally {
      child.kill('SIGKILL');
      await redis.stop();
    }
  }, 30_000);

  it('with a wrong variable, stops with its name and the problem', async () => {
    const result = await startMain({ ROLE: 'everything', DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('hookflow: configuration error: ROLE: "everything" is not one of all, api, worker');
  });

  it('with a broken process definition, stops naming the file, the JSON path and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-processes-'));
    copyFileSync(join(PROCESSES, 'process.schema.json'), join(dir, 'process.schema.json'));
    writeFileSync(
      join(dir, 'broken.json'),
      JSON.stringify({
        id: 'broken',
        name: 'Broken',
        version: 1,
        activeByDefault: true,
        trigger: { type: 'webhook' },
        steps: [{ id: 'send', type: 'send-fax' }],
      }),
    );
    const result = await startMain({
      REDIS_URL: process.env.REDIS_URL!,
      DATABASE_URL: database.url,
      PORT: '0',
      PROCESSES_DIR: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broken.json: /steps/0/type: unknown step type "send-fax"');
  });
});

describe('the built service (npm start)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('serves Swagger UI, the OpenAPI document and the queue dashboard (to platform clients), and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const admin = { id: 'board-admin', secret: 'board-admin-secret-0123456789' };
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: process.env.REDIS_URL!,
        REDIS_PREFIX: `board-${port}`,
        DATABASE_URL: database.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_CLIENT_ID: admin.id,
        ADMIN_CLIENT_SECRET: admin.secret,
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    try {
      let ui: ApiResponse | undefined;
      for (const deadline = Date.now() + 15_000; !ui && Date.now() < deadline;) {
        ui = await apiRequest(base, 'GET', '/docs').catch(() => undefined);
        if (!ui) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ui?.status).toBe(200);
      expect(ui!.text).toContain('swagger-ui');
      const document = (await apiRequest(base, 'GET', '/docs-json')).body as { openapi: string };
      expect(document.openapi).toMatch(/^3\./);

      const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
      const anonymous = await apiRequest(base, 'GET', '/queues');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Hookflow queues", charset="UTF-8"');
      expect((await apiRequest(base, 'GET', '/queues', { headers: basic(admin.id, 'wrong-secret') })).status).toBe(401);
      const board = await apiRequest(base, 'GET', '/queues', { headers: basic(admin.id, admin.secret) });
      expect(board.status).toBe(200);
      expect(board.text).toContain('Hookflow queues');
      const queues = (await apiRequest(base, 'GET', '/queues/api/queues', { headers: basic(admin.id, admin.secret) })).body as {
        queues: Array<{ name: string }>;
      };
      expect(queues.queues.map((queue) => queue.name)).toEqual(['webhooks']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});

describe('API and worker as separate roles', () => {
  let database: TestDatabase;
  let api: TestService;
  let worker: TestService;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    // A queue name of their own: both roles must be given the same one.
    api = await startTestService(database, { ROLE: 'api', QUEUE_NAME: 'webhooks-eu' });
    worker = await startTestService(database, { ROLE: 'worker', REDIS_PREFIX: api.config.redisPrefix, QUEUE_NAME: 'webhooks-eu' });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await database?.drop();
  });

  it('a webhook accepted by the API process is turned into a record by the worker process', async () => {
    const { tenantId, apiKey } = await api.newTenant();
    const response = await apiRequest(api.url, 'POST', `/webhooks/${apiKey}`, { body: example });
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    // The API process has no webhook log or records module: ask the worker's.
    expect((await worker.waitForWebhook(tenantId, id)).status).toBe('processed');
    expect(await worker.records(tenantId, 'Lead')).toEqual([expect.objectContaining({ Contact: 'New user' })]);
    // The finished job is kept a while, under the queue's name.
    const redis = new Redis(api.config.redisUrl);
    try {
      expect(await redis.exists(`${api.config.redisPrefix}:webhooks-eu:${id}`)).toBe(1);
      expect(await redis.keys(`${api.config.redisPrefix}:webhooks:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('when Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    // With an append-only file, as the README asks of production Redis: a killed Redis keeps
    // every job it acknowledged.
    redis = await startRedis({ appendonly: true });
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await hookflow?.close();
    await redis?.stop();
    await database?.drop();
  });

  it('webhooks get 503 with Retry-After quickly, never 202, and are accepted again once it is back', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    expect((await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: example })).status).toBe(202);
    await redis.stop();

    const ready = await apiRequest(hookflow.url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } }, info: { database: { status: 'up' } } });
    expect((await apiRequest(hookflow.url, 'GET', '/health/live')).status).toBe(200);

    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: example });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(Date.now() - started).toBeLessThan(2500);
    }

    redis = await startRedis({ port: redis.port, dir: redis.dir, appendonly: true });
    let status = 0;
    let body: { id?: string } = {};
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && status !== 202;) {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: example });
      status = response.status;
      body = response.body as { id?: string };
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(202);
    expect((await hookflow.waitForWebhook(tenantId, body.id!, 15_000)).status).toBe('processed');
    const readyAgain = await apiRequest(hookflow.url, 'GET', '/health/ready');
    expect(readyAgain.status).toBe(200);
    expect(readyAgain.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
    // Exactly the two acknowledged webhooks end in the log, none of the refused ones.
    const deadline = Date.now() + 15_000;
    while ((await hookflow.webhooks(tenantId)).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const log = await hookflow.webhooks(tenantId);
    expect(log.map((webhook) => webhook.status)).toEqual(['processed', 'processed']);
  }, 60_000);
});
