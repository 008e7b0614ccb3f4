import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { freePort } from './support/redis-server.mjs';
import { startServiceProcess, until, type ServiceProcess } from './support/processes.mjs';
import { startTestService, type TestService } from './support/test-service.js';
import { sendMany } from './support/load.js';
import { WebhookQueue } from '../src/pipeline/webhook-queue.js';

/**
 * Breaking things on purpose: every webhook acknowledged with 202 is processed, exactly one
 * record per webhook, whatever dies in between. Bounded in count and time, loopback only.
 */

/** Another process holds SQLite's write lock, as a long migration or a backup would. */
function lockSqlite(database: TestDatabase): () => void {
  const locker = new Database(database.url.slice('sqlite:'.length));
  locker.pragma('busy_timeout = 5000');
  locker.exec('BEGIN IMMEDIATE');
  return () => {
    if (!locker.open) return;
    locker.exec('COMMIT');
    locker.close();
  };
}

async function expectEachProcessedOnce(hookflow: TestService, tenantId: string, accepted: string[]) {
  let counts: Record<string, number> = {};
  await until(
    async () => {
      const log = await hookflow.webhooks(tenantId);
      counts = {};
      for (const webhook of log) counts[webhook.status] = (counts[webhook.status] ?? 0) + 1;
      return (counts.processed ?? 0) >= accepted.length;
    },
    60_000,
    'not every acknowledged webhook was processed in time',
  ).catch((error: Error) => {
    throw new Error(`${error.message}: ${accepted.length} accepted, log ${JSON.stringify(counts)}`);
  });
  const log = await hookflow.webhooks(tenantId);
  const processed = new Set(log.filter((w) => w.status === 'processed').map((w) => w.id));
  expect(accepted.filter((id) => !processed.has(id))).toEqual([]);
  const records = await hookflow.records(tenantId, 'FormSubmit');
  const names = records.map((record) => record.Name);
  expect(new Set(names).size).toBe(names.length);
  expect(records).toHaveLength(processed.size);
}

/**
 * An API in this process, a worker as its own OS process (so it can be killed), and a reader of
 * the log beside them (the API role has none). The reader uses its own Redis prefix: it takes no jobs.
 */
async function apiWithWorkerProcess(database: TestDatabase, workerSettings: Record<string, string>) {
  const api = await startTestService(database, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '0' });
  const workerEnv = {
    ROLE: 'worker',
    REDIS_URL: process.env.REDIS_URL!,
    REDIS_PREFIX: api.config.redisPrefix,
    DATABASE_URL: database.url,
    ...workerSettings,
  };
  const reader = await startTestService(database, { ROLE: 'worker', REDIS_PREFIX: `${api.config.redisPrefix}-reader` });
  return { api, reader, workerEnv, close: async () => (await reader.close(), await api.close()) };
}

describe('fault tests', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('a worker killed with SIGKILL while webhooks are in flight: after a restart, every one is processed, none twice', async () => {
    const { api, reader, workerEnv, close } = await apiWithWorkerProcess(database, { WORKER_LOCK_MS: '1500', JOB_BACKOFF_MS: '50' });
    let worker: ServiceProcess = startServiceProcess(workerEnv);
    try {
      const { tenantId, apiKey } = await api.newTenant();
      let killed = false;
      const accepted = await sendMany(api.url, apiKey, 1500, 32, (sent) => {
        if (sent === 700 && !killed) {
          killed = true;
          void worker.kill('SIGKILL');
        }
      });
      expect(await worker.exited).toBe('SIGKILL');
      expect(accepted.refused).toEqual([]);
      expect(accepted).toHaveLength(1500);
      worker = startServiceProcess(workerEnv);
      await expectEachProcessedOnce(reader, tenantId, accepted);
    } finally {
      await worker.kill('SIGTERM');
      await close();
    }
  }, 120_000);

  it('a worker stopped with SIGTERM mid-load exits 0 after its active jobs, and nothing is lost', async () => {
    const { api, reader, workerEnv, close } = await apiWithWorkerProcess(database, { SHUTDOWN_TIMEOUT_MS: '10000' });
    let worker: ServiceProcess = startServiceProcess(workerEnv);
    try {
      const { tenantId, apiKey } = await api.newTenant();
      const accepted = await sendMany(api.url, apiKey, 600, 16);
      // Stopped while it works through them.
      await until(async () => (await reader.webhooks(tenantId)).length >= 100, 30_000, 'the worker did not start');
      expect(await worker.kill('SIGTERM')).toBe(0);
      worker = startServiceProcess(workerEnv);
      await expectEachProcessedOnce(reader, tenantId, accepted);
    } finally {
      await worker.kill('SIGTERM');
      await close();
    }
  }, 120_000);

  it('the API process killed mid-load: every 202 it gave is processed', async () => {
    const port = await freePort();
    const worker = await startTestService(database, { ROLE: 'worker' });
    const api = startServiceProcess({
      ROLE: 'api',
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: process.env.REDIS_URL!,
      REDIS_PREFIX: worker.config.redisPrefix,
      DATABASE_URL: database.url,
      RATE_LIMIT_PER_MINUTE: '0',
    });
    try {
      const { tenantId, apiKey } = await worker.newTenant();
      const url = `http://127.0.0.1:${port}`;
      await until(async () => (await apiRequest(url, 'GET', '/docs-json').catch(() => null))?.status === 200, 15_000, 'the API did not start');
      const accepted = await sendMany(url, apiKey, 1500, 32, (sent) => {
        if (sent === 600) void api.kill('SIGKILL');
      });
      expect(await api.exited).toBe('SIGKILL');
      expect(accepted.length).toBeGreaterThan(0);
      expect(accepted.length).toBeLessThan(1500);
      await expectEachProcessedOnce(worker, tenantId, accepted);
    } finally {
      await api.kill();
      await worker.close();
    }
  }, 120_000);

  it('the database locked for a while: runs retry and complete when it is free, none lost, none twice', async () => {
    const hookflow = await startTestService(database, {
      SQLITE_BUSY_TIMEOUT_MS: '100',
      JOB_ATTEMPTS: '12',
      JOB_BACKOFF_MS: '100',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    let release = () => {};
    try {
      const { tenantId, apiKey } = await hookflow.newTenant();
      release = lockSqlite(database);
      const accepted = await sendMany(hookflow.url, apiKey, 50, 10);
      expect(accepted.refused).toEqual([]);
      expect(accepted).toHaveLength(50);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      release();
      await expectEachProcessedOnce(hookflow, tenantId, accepted);
    } finally {
      release();
      await hookflow.close();
    }
  }, 120_000);

  it('while runs wait for a locked database, webhooks are still acknowledged', async () => {
    // The default busy timeout, longer than the lock: runs wait for it rather than fail.
    const hookflow = await startTestService(database, { SQLITE_BUSY_TIMEOUT_MS: '10000', RATE_LIMIT_PER_MINUTE: '0' });
    let release = () => {};
    try {
      const { tenantId, apiKey } = await hookflow.newTenant();
      release = lockSqlite(database);
      // The first webhooks' runs are waiting for the lock while the rest arrive.
      const first: string[] = [];
      for (const name of ['early-1', 'early-2']) {
        const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: { EntityName: 'FormSubmit', Name: name } });
        expect(response.status).toBe(202);
        first.push((response.body as { id: string }).id);
      }
      await until(async () => (await hookflow.get(WebhookQueue).counts()).active > 0, 10_000, 'no run started');
      const accepted = await sendMany(hookflow.url, apiKey, 200, 16);
      expect(accepted.refused).toEqual([]);
      expect(accepted).toHaveLength(200);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      release();
      await expectEachProcessedOnce(hookflow, tenantId, [...first, ...accepted]);
    } finally {
      release();
      await hookflow.close();
    }
  }, 120_000);
});
