import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CorrelationRepository } from '../src/engine/correlation.repository.js';
import type { InstanceStatus } from '../src/engine/instance-state.js';
import type { ProcessInstance } from '../src/engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../src/engine/process-instances.repository.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { WebhookQueue } from '../src/pipeline/webhook-queue.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { WebhookLogService } from '../src/webhooks/webhook-log.service.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { sendMany } from './support/load.js';
import { startServiceProcess, until, type ServiceProcess } from './support/processes.mjs';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * Waiting process instances across a worker killed with SIGKILL: while 1,000 timers are due, and
 * while webhooks resume instances waiting for them. Every instance resumes exactly once (one
 * claim: its seq is 1), no record is written twice, none is lost. The worker is its own OS
 * process (the built service); the API and the checks run in this one.
 */

const DEFAULT_PROCESS = 'create-object-records-from-webhook';
const STATUSES: InstanceStatus[] = ['running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled'];
/** Small, so that the jobs of the killed worker are taken over, and stalled instances re-queued, within seconds. */
const WORKER_SETTINGS = { WORKER_LOCK_MS: '1500', TIMER_SWEEP_MS: '500', JOB_BACKOFF_MS: '50' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An API in this process (it reads the database for the checks) and the environment of a worker process beside it. */
async function apiWithWorkerProcess(database: TestDatabase) {
  const api = await startTestService(database, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '0' });
  const workerEnv = {
    ROLE: 'worker',
    REDIS_URL: process.env.REDIS_URL!,
    REDIS_PREFIX: api.config.redisPrefix,
    DATABASE_URL: database.url,
    ...WORKER_SETTINGS,
  };
  return { api, workerEnv };
}

/** Stops a worker this test started: SIGTERM, and SIGKILL if it has not ended within 10 s. */
async function stop(worker: ServiceProcess): Promise<void> {
  const timer = setTimeout(() => void worker.kill('SIGKILL'), 10_000);
  try {
    await worker.kill('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

async function statusCounts(api: TestService, tenantId: string): Promise<Record<InstanceStatus, number>> {
  const instances = api.get(ProcessInstancesRepository);
  const counts = await Promise.all(STATUSES.map((status) => instances.countByStatus(tenantId, status)));
  return Object.fromEntries(STATUSES.map((status, i) => [status, counts[i]])) as Record<InstanceStatus, number>;
}

/** Waits until no job waits or runs (twice, a second apart), so that a stray repeat would have had its chance to write. */
async function untilQuiet(api: TestService): Promise<void> {
  const queue = api.get(WebhookQueue);
  let counts = await queue.counts();
  await until(
    async () => {
      counts = await queue.counts();
      if (counts.waiting + counts.active > 0) return false;
      await sleep(1000);
      counts = await queue.counts();
      return counts.waiting + counts.active === 0;
    },
    20_000,
    () => `the queue did not come to rest: ${JSON.stringify(counts)}`,
  );
}

/** Sends one webhook per body with some concurrency; answers their ids, in the order of the bodies. */
async function sendEach(url: string, apiKey: string, bodies: unknown[], concurrency: number): Promise<string[]> {
  const ids: string[] = new Array<string>(bodies.length);
  const refused: string[] = [];
  let next = 0;
  const sender = async () => {
    while (next < bodies.length) {
      const n = next++;
      const response = await apiRequest(url, 'POST', `/webhooks/${apiKey}`, { body: bodies[n] });
      if (response.status === 202) ids[n] = String((response.body as { id: string }).id);
      else refused.push(`${response.status}: ${response.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  if (refused.length > 0) throw new Error(`${refused.length} webhooks refused, e.g. ${refused[0]}`);
  return ids;
}

/** Every instance of the tenant, with what the views leave out (seq, resumption). */
function allInstances(api: TestService, tenantId: string): Promise<ProcessInstance[]> {
  return api.get(ProcessInstancesRepository).list(tenantId, {}, 100_000);
}

/** The instances whose timeline or claims are not those of one resumption, shown so a failure says what happened. */
function offenders(instances: ProcessInstance[], timeline: string[][]): unknown[] {
  return instances
    .filter(
      (instance) =>
        instance.status !== 'completed' ||
        instance.seq !== 1 ||
        instance.resumption !== null ||
        instance.recordIds.length !== 1 ||
        JSON.stringify(instance.trace.map((entry) => [entry.step, entry.status])) !== JSON.stringify(timeline),
    )
    .map(({ id, status, seq, resumption, resumedBy, recordIds, trace, errorCode, reason }) => ({
      id,
      status,
      seq,
      resumption,
      resumedBy,
      recordIds,
      errorCode,
      reason,
      trace: trace.map((entry) => [entry.step, entry.status, entry.at]),
    }));
}

/** Each value once: the duplicates, and those missing from the expected ones. */
function duplicatesAndMissing(values: unknown[], expected: string[]): { duplicates: unknown[]; missing: string[]; unexpected: unknown[] } {
  const seen = new Map<unknown, number>();
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
  const wanted = new Set(expected);
  return {
    duplicates: [...seen].filter(([, n]) => n > 1),
    missing: expected.filter((value) => !seen.has(value)),
    unexpected: [...seen.keys()].filter((value) => !wanted.has(value as string)),
  };
}

describe.each(databaseKinds())('waiting instances across a worker killed with SIGKILL (%s)', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createDatabase(kind);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('1,000 timers due at once, the worker killed while it resumes them: each resumes exactly once, one Lead each', async () => {
    const COUNT = 1000;
    // Time enough for the worker to park all of them before any is due: 3-6 s on an idle
    // machine; when others load it, those parked late are due a second after (see below).
    const PARK_MS = kind === 'sqlite' ? 12_000 : 15_000;
    const { api, workerEnv } = await apiWithWorkerProcess(database);
    let worker = startServiceProcess(workerEnv, { keepStderr: true });
    try {
      const { tenantId, apiKey } = await api.newTenant();
      const processes = api.get(ProcessesService);
      await processes.setActive(tenantId, DEFAULT_PROCESS, false);
      const dueAt = Date.now() + PARK_MS;
      await processes.create(tenantId, {
        id: 'due-together',
        name: 'Due together',
        version: 1,
        activeByDefault: true,
        trigger: { type: 'webhook' },
        steps: [
          // One fixed time for all (and at least a second's wait, should one be parked late).
          { id: 'pause', type: 'wait', input: { until: `$max([${dueAt}, $millis() + 1000])` } },
          { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'Name' } } },
        ],
      });

      const accepted = await sendMany(api.url, apiKey, COUNT, 32);
      expect(accepted.refused).toEqual([]);
      expect(accepted).toHaveLength(COUNT);
      let counts = await statusCounts(api, tenantId);
      // Parked: each has passed its wait step (it waits, or has been resumed since).
      await until(
        async () => (counts = await statusCounts(api, tenantId)).waiting + counts.running + counts.completed === COUNT,
        60_000,
        () => `not all ${COUNT} instances were parked: ${JSON.stringify(counts)}; worker stderr: ${worker.stderr()}`,
      );

      // Killed once some have been resumed, while the rest are.
      await until(
        async () => {
          counts = await statusCounts(api, tenantId);
          // Best when some are claimed and not yet stored: their runs are cut off.
          return counts.completed >= COUNT / 10 && (counts.running > 0 || counts.completed >= COUNT / 2);
        },
        PARK_MS + 20_000,
        () => `the worker did not resume the instances: ${JSON.stringify(counts)}; worker stderr: ${worker.stderr()}`,
      );
      expect(await worker.kill('SIGKILL')).toBe('SIGKILL');
      const atKill = await statusCounts(api, tenantId);
      expect(atKill.completed).toBeLessThan(COUNT);

      worker = startServiceProcess(workerEnv, { keepStderr: true });
      await until(
        async () => (counts = await statusCounts(api, tenantId)).completed + counts.failed + counts.cancelled === COUNT,
        40_000,
        () =>
          `not every instance ended after the restart: ${JSON.stringify(counts)} (at the kill ${JSON.stringify(atKill)}); worker stderr: ${worker.stderr()}`,
      );
      await untilQuiet(api);

      expect(await statusCounts(api, tenantId)).toEqual({ running: 0, waiting: 0, completed: COUNT, failed: 0, skipped: 0, cancelled: 0 });
      const instances = await allInstances(api, tenantId);
      expect(instances).toHaveLength(COUNT);
      expect(
        offenders(instances, [
          ['pause', 'waiting'],
          ['pause', 'ok'],
          ['lead', 'ok'],
        ]),
      ).toEqual([]);
      expect(
        duplicatesAndMissing(
          instances.map((instance) => instance.webhookId),
          [...accepted],
        ),
      ).toEqual({ duplicates: [], missing: [], unexpected: [] });
      // Due together: all of them unless the machine was too busy to park them in time (then most).
      const dueTogether = instances.filter((instance) => (instance.trace[0].output as { waitsUntil: string }).waitsUntil === new Date(dueAt).toISOString());
      expect(dueTogether.length).toBeGreaterThanOrEqual(COUNT / 2);

      const leads = await api.records(tenantId, 'Lead');
      const names = Array.from({ length: COUNT }, (_, n) => `load-${n}`);
      expect(
        duplicatesAndMissing(
          leads.map((lead) => lead.Contact),
          names,
        ),
      ).toEqual({ duplicates: [], missing: [], unexpected: [] });
      expect(leads).toHaveLength(COUNT);
      expect(new Set(leads.map((lead) => lead.Id))).toEqual(new Set(instances.flatMap((instance) => instance.recordIds)));
      // Each webhook's log entry tells what its instance ended with: processed, with the Lead written after the wait.
      const recordsOf = new Map(instances.map((instance) => [instance.webhookId, instance.recordIds]));
      const entries = await api.get(WebhookLogService).search(tenantId, {}, 2 * COUNT);
      expect(entries).toHaveLength(COUNT);
      expect(
        entries.filter((entry) => entry.status !== 'processed' || entry.recordIds.length !== 1 || entry.recordIds[0] !== recordsOf.get(entry.id)?.[0]),
      ).toEqual([]);
    } finally {
      await stop(worker);
      await api.close();
    }
  }, 120_000);

  it('300 instances waiting for webhooks, the worker killed while the webhooks resume them: each by exactly one webhook, once', async () => {
    const COUNT = 300;
    const { api, workerEnv } = await apiWithWorkerProcess(database);
    let worker = startServiceProcess(workerEnv, { keepStderr: true });
    try {
      const { tenantId } = await api.newTenant();
      const processes = api.get(ProcessesService);
      await processes.setActive(tenantId, DEFAULT_PROCESS, false);
      await processes.create(tenantId, {
        id: 'await-order',
        name: 'Await the order',
        version: 1,
        activeByDefault: true,
        // The shop's webhooks start nothing: they only resume.
        trigger: { type: 'webhook', apiKeys: ['forms'] },
        steps: [
          { id: 'key', type: 'set-variable', input: { name: 'key', value: 'ref' } },
          { id: 'order', type: 'wait-for-webhook', input: { key: '$vars.key', webhookKey: 'order', apiKeys: ['shop'] } },
          { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: "Name & ' ordered ' & $steps.order.payload.order" } } },
        ],
      });
      const forms = (await api.get(ApiKeysService).create(tenantId, 'forms')).apiKey;
      const shop = (await api.get(ApiKeysService).create(tenantId, 'shop')).apiKey;
      const refs = Array.from({ length: COUNT }, (_, n) => `order-${n}`);

      const started = await sendEach(
        api.url,
        forms,
        refs.map((ref, n) => ({ Name: `customer-${n}`, ref })),
        32,
      );
      let counts = await statusCounts(api, tenantId);
      await until(
        async () => (counts = await statusCounts(api, tenantId)).waiting === COUNT,
        30_000,
        () => `not all ${COUNT} instances were parked: ${JSON.stringify(counts)}; worker stderr: ${worker.stderr()}`,
      );
      // Findable by their keys too (stored just after the instance is stored as waiting).
      const correlation = api.get(CorrelationRepository);
      let unfindable = refs.length;
      await until(
        async () => {
          const [subscription] = await correlation.subscriptionsOf(tenantId);
          if (!subscription) return false;
          const found = await Promise.all(refs.map((ref) => correlation.waiting(tenantId, subscription.id, ref, 1)));
          unfindable = found.filter((waits) => waits.length === 0).length;
          return unfindable === 0;
        },
        10_000,
        () => `${unfindable} waiting instances have no correlation key stored`,
      );

      // The resuming webhooks, the worker killed once some instances have been resumed.
      const sending = sendEach(
        api.url,
        shop,
        refs.map((ref) => ({ order: ref })),
        16,
      );
      await until(
        async () => (counts = await statusCounts(api, tenantId)).completed >= COUNT / 5,
        30_000,
        () => `the worker did not resume the instances: ${JSON.stringify(counts)}; worker stderr: ${worker.stderr()}`,
      );
      expect(await worker.kill('SIGKILL')).toBe('SIGKILL');
      const atKill = await statusCounts(api, tenantId);
      expect(atKill.completed).toBeLessThan(COUNT);
      const resuming = await sending;

      worker = startServiceProcess(workerEnv, { keepStderr: true });
      await until(
        async () => (counts = await statusCounts(api, tenantId)).completed + counts.failed + counts.cancelled === COUNT,
        40_000,
        () =>
          `not every instance ended after the restart: ${JSON.stringify(counts)} (at the kill ${JSON.stringify(atKill)}); worker stderr: ${worker.stderr()}`,
      );
      await untilQuiet(api);

      expect(await statusCounts(api, tenantId)).toEqual({ running: 0, waiting: 0, completed: COUNT, failed: 0, skipped: 0, cancelled: 0 });
      const instances = await allInstances(api, tenantId);
      expect(instances).toHaveLength(COUNT);
      expect(
        offenders(instances, [
          ['key', 'ok'],
          ['order', 'waiting'],
          ['order', 'ok'],
          ['lead', 'ok'],
        ]),
      ).toEqual([]);
      expect(
        duplicatesAndMissing(
          instances.map((instance) => instance.webhookId),
          started,
        ),
      ).toEqual({ duplicates: [], missing: [], unexpected: [] });

      // Each resuming webhook names exactly one instance, the one waiting for its key, and no two the same.
      const log = api.get(WebhookLogService);
      const entries = await Promise.all(resuming.map((id) => log.get(tenantId, id)));
      const byId = new Map(instances.map((instance) => [instance.id, instance]));
      const wrong = entries
        .map((entry, n) => ({ webhookId: entry.id, ref: refs[n], status: entry.status, resumedIds: entry.resumedIds }))
        .filter(({ webhookId, ref, resumedIds }) => {
          const instance = resumedIds.length === 1 ? byId.get(resumedIds[0]) : undefined;
          return !instance || instance.resumedBy !== webhookId || instanceKey(instance) !== ref;
        });
      expect(wrong).toEqual([]);
      const resumed = entries.flatMap((entry) => entry.resumedIds);
      expect(duplicatesAndMissing(resumed, [...byId.keys()])).toEqual({ duplicates: [], missing: [], unexpected: [] });

      const leads = await api.records(tenantId, 'Lead');
      const contacts = refs.map((ref, n) => `customer-${n} ordered ${ref}`);
      expect(
        duplicatesAndMissing(
          leads.map((lead) => lead.Contact),
          contacts,
        ),
      ).toEqual({ duplicates: [], missing: [], unexpected: [] });
      expect(leads).toHaveLength(COUNT);
      expect(new Set(leads.map((lead) => lead.Id))).toEqual(new Set(instances.flatMap((instance) => instance.recordIds)));
      // The analysts' view agrees.
      expect(await api.get(InstancesService).list(tenantId, { status: 'completed' }, COUNT + 1)).toHaveLength(COUNT);
    } finally {
      await stop(worker);
      await api.close();
    }
  }, 120_000);
});

/** The key an instance waited for, from its trace (its state is gone once it completed). */
function instanceKey(instance: ProcessInstance): string | undefined {
  const waiting = instance.trace.find((entry) => entry.step === 'order' && entry.status === 'waiting');
  return (waiting?.output as { waitsForWebhook?: { key?: string } } | undefined)?.waitsForWebhook?.key;
}
