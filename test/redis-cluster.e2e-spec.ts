import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { apiRequest } from './support/admin-client.js';
import { cliJson } from './support/cli.mjs';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startServiceProcess, until } from './support/processes.mjs';
import { startRedisCluster, type ClusterNode, type PrivateRedisCluster } from './support/redis-cluster.mjs';
import { freePort } from './support/redis-server.mjs';
import { startTestService, type TestService } from './support/test-service.js';

const PREFIX = '{hookflow}';
const lead = (contact: string) => ({ Contact: contact, Email: `${contact.toLowerCase()}@example.com`, EntityName: 'Lead' });

/** Waits until the time the webhook gives, then writes a Lead. */
const WAIT_THEN_LEAD = {
  id: 'wait-then-lead',
  name: 'Wait, then a Lead',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['timers'] },
  steps: [
    { id: 'pause', type: 'wait', input: { until: 'due' } },
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'name' } } },
  ],
};

/**
 * Hookflow on a Redis Cluster of its own (three masters on loopback ports), given only a node
 * that does not serve the slot of the prefix's hash tag: every command must follow the cluster's
 * MOVED answers. One service runs in this process, another as the built service; both share the
 * queue. Never touches the shared Redis.
 */
describe('on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  let cluster: PrivateRedisCluster;
  let elsewhere: ClusterNode;
  let owner: ClusterNode;
  let database: TestDatabase;
  let hookflow: TestService;
  let clusterEnv: Record<string, string>;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    ({ node: owner } = await cluster.ownerOf(PREFIX));
    elsewhere = cluster.nodes.find((node) => node.port !== owner.port)!;
    // With REDIS_CLUSTER_NODES, REDIS_URL gives only the credentials and TLS (none here). Its
    // node is the cluster's too, so a service that ignored REDIS_CLUSTER_NODES would meet MOVED
    // answers, not the shared Redis.
    clusterEnv = { REDIS_URL: `redis://127.0.0.1:${elsewhere.port}`, REDIS_CLUSTER_NODES: cluster.nodeList([elsewhere]) };
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { ...clusterEnv, REDIS_PREFIX: PREFIX, RATE_LIMIT_PER_MINUTE: '1000' });
  }, 60_000);

  afterAll(async () => {
    await hookflow?.close();
    await cluster?.stop();
    await database?.drop();
  });

  it('the built service starts, is ready, takes webhooks, serves its metrics, and stops cleanly', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // The default prefix in a cluster is {hookflow}: the same queue as the service in this process.
    const main = startServiceProcess(
      { ...clusterEnv, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', METRICS_TOKEN: 'cluster-metrics-token-0123' },
      { keepStderr: true },
    );
    try {
      await until(
        async () => (await apiRequest(base, 'GET', '/health/ready').catch(() => undefined))?.status === 200,
        20_000,
        () => `the service did not become ready: ${main.stderr()}`,
      );
      const ready = await apiRequest(base, 'GET', '/health/ready');
      expect(ready.body).toMatchObject({ status: 'ok', info: { redis: { status: 'up' } } });
      const sent = await apiRequest(base, 'POST', `/webhooks/${apiKey}`, { body: lead('Main') });
      expect(sent.status).toBe(202);
      expect((await hookflow.waitForWebhook(tenantId, sent.body.id as string, 15_000)).status).toBe('processed');
      expect((await hookflow.records(tenantId, 'Lead')).map((record) => record.Contact)).toEqual(['Main']);
      const metrics = await apiRequest(base, 'GET', '/metrics', { headers: { authorization: 'Bearer cluster-metrics-token-0123' } });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^hookflow_queue_jobs\{state="waiting",role="all"\} \d+$/m);
    } finally {
      expect(await main.kill('SIGTERM')).toBe(0);
    }
  }, 60_000);

  it('without REDIS_CLUSTER_NODES, a start on a node of the cluster stops with one line that says what to set', async () => {
    const main = startServiceProcess({ REDIS_URL: clusterEnv.REDIS_URL, REDIS_PREFIX: PREFIX, DATABASE_URL: database.url, PORT: '0' }, { keepStderr: true });
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toBe(
      `hookflow: Redis at redis://127.0.0.1:${elsewhere.port} is a node of a Redis Cluster: set REDIS_CLUSTER_NODES to its nodes (host:port,host:port…) and REDIS_PREFIX to a name in braces, e.g. {hookflow}.\n`,
    );
  });

  it('turns webhooks into records, once per delivery id, and keeps every key on the node of {hookflow}', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const answers = [];
    for (const contact of ['Ada', 'Grace', 'Edsger']) {
      answers.push(await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: lead(contact), headers: { 'webhook-id': `delivery-${contact}` } }));
    }
    const repeat = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: lead('Ada'), headers: { 'webhook-id': 'delivery-Ada' } });
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    expect(repeat).toMatchObject({ status: 202, body: { id: answers[0].body.id, duplicate: true } });
    for (const answer of answers) expect((await hookflow.waitForWebhook(tenantId, answer.body.id as string)).status).toBe('processed');
    expect((await hookflow.records(tenantId, 'Lead')).map((record) => record.Contact).sort()).toEqual(['Ada', 'Edsger', 'Grace']);
    expect(await hookflow.webhooks(tenantId)).toHaveLength(3);

    // One hash tag, one slot, one master: the others hold nothing of Hookflow's.
    for (const node of cluster.nodes) {
      const client = new Redis({ host: node.host, port: node.port, lazyConnect: true, retryStrategy: () => null });
      try {
        await client.connect();
        const keys = await client.keys(`${PREFIX}:*`);
        if (node.port === owner.port) expect(keys).toContain(`${PREFIX}:webhooks:meta`);
        else expect(keys).toEqual([]);
      } finally {
        client.disconnect();
      }
    }
  }, 30_000);

  it('refuses a key its fourth webhook of the minute (429), counted in the cluster', async () => {
    const { tenantId, apiKeyId, apiKey } = await hookflow.newTenant();
    await hookflow.get(ApiKeysService).setRateLimit(tenantId, apiKeyId, 3);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: lead(`Rate ${i}`) })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    // The count reached Redis (the limiter adds its counts every 100 ms), under the prefix.
    const client = new Redis({ host: owner.host, port: owner.port, lazyConnect: true, retryStrategy: () => null });
    try {
      await client.connect();
      await until(async () => (await client.keys(`${PREFIX}:rate:${apiKeyId}:*`)).length === 1, 5000, 'no rate count in the cluster');
    } finally {
      client.disconnect();
    }
  });

  it('a wait step resumes on its timer; the command line cancels a waiting instance', async () => {
    const { tenantId } = await hookflow.newTenant();
    await hookflow.get(ProcessesService).setActive(tenantId, 'create-object-records-from-webhook', false);
    await hookflow.get(ProcessesService).create(tenantId, WAIT_THEN_LEAD);
    const timers = await hookflow.get(ApiKeysService).create(tenantId, 'timers');
    const due = Date.now() + 1500;
    const soon = await hookflow.deliver(tenantId, timers.apiKey, { name: 'Soon', due: new Date(due).toISOString() });
    const later = await hookflow.deliver(tenantId, timers.apiKey, { name: 'Later', due: new Date(Date.now() + 86_400_000).toISOString() });
    const instances = hookflow.get(InstancesService);
    expect(await instances.list(tenantId, { status: 'waiting' }, 10)).toHaveLength(2);

    // Well before the timer sweep (15 s): the delayed job in the cluster woke it.
    await until(async () => (await instances.list(tenantId, { status: 'completed' }, 10)).length === 1, 8000, 'the wait step did not resume');
    const [completed] = await instances.list(tenantId, { status: 'completed' }, 10);
    expect(completed.webhookId).toBe(soon.id);
    expect(Date.parse(completed.finishedAt!)).toBeGreaterThanOrEqual(due - 50);
    expect((await hookflow.get(RecordsService).list(tenantId, 'Lead', 10)).map((record) => record.Contact)).toEqual(['Soon']);

    const [waiting] = await instances.list(tenantId, { status: 'waiting' }, 10);
    expect(waiting.webhookId).toBe(later.id);
    const env = { ...clusterEnv, DATABASE_URL: database.url, REDIS_PREFIX: PREFIX };
    expect(await cliJson<{ status: string }>(['instances', 'cancel', waiting.id, '--tenant', tenantId], env)).toMatchObject({ status: 'cancelled' });
  }, 30_000);
});
