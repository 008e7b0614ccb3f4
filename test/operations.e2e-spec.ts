import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminApi, apiRequest, getToken } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { freePort } from './support/redis-server.mjs';
import { startTestService, type TestService } from './support/test-service.js';
import { JsonLogger } from '../src/common/json-logger.js';

const ADMIN = { id: 'ops-admin', secret: 'ops-admin-secret-0123456789' };
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample of the Prometheus text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('operations: metrics', () => {
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN.id, ADMIN_CLIENT_SECRET: ADMIN.secret, METRICS_TOKEN });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  const scrape = (authorization?: string) => apiRequest(hookflow.url, 'GET', '/metrics', { headers: authorization ? { authorization } : {} });

  it('GET /metrics needs METRICS_TOKEN or a platform token', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="hookflow"');
    expect((await scrape('Bearer not-the-token')).status).toBe(401);
    expect((await scrape(`Bearer ${METRICS_TOKEN}`)).status).toBe(200);

    const platform = await getToken(hookflow.url, ADMIN.id, ADMIN.secret);
    expect((await scrape(`Bearer ${platform}`)).status).toBe(200);
    const { tenantId } = await hookflow.newTenant('Scoped');
    const created = await new AdminApi(hookflow.url, platform).post('/api/clients', { kind: 'tenant', tenantId, scopes: ['webhooks:read'] });
    const tenantToken = await getToken(hookflow.url, created.body.clientId, created.body.clientSecret);
    const refused = await scrape(`Bearer ${tenantToken}`);
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toBe('Only a platform client may read metrics');
  });

  it('counts webhooks by tenant and status, runs, record writes and the queue', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant('Measured');
    const webhook = await hookflow.deliver(tenantId, apiKey, { EntityName: 'FormSubmit', Name: 'Counted' });
    expect(webhook.status).toBe('processed');
    expect((await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body: [1] })).status).toBe(400);
    expect((await apiRequest(hookflow.url, 'POST', '/webhooks/hf_unknown_key_000000000000000000000000000000000', { body: {} })).status).toBe(401);

    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(sample(text, 'hookflow_webhooks_received_total', { tenant: tenantId, status: '202' })).toBe(1);
    expect(sample(text, 'hookflow_webhooks_received_total', { tenant: tenantId, status: '400' })).toBe(1);
    expect(sample(text, 'hookflow_webhooks_received_total', { tenant: 'unknown', status: '401' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hookflow_runs_total', { tenant: tenantId, status: 'completed' })).toBe(1);
    expect(sample(text, 'hookflow_record_writes_total', { tenant: tenantId })).toBe(1);
    expect(sample(text, 'hookflow_step_duration_seconds_count', { type: 'create-record' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hookflow_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(text).toMatch(/^hookflow_queue_oldest_waiting_seconds\{role="all"\} 0$/m);
    expect(text).toMatch(/^hookflow_process_resident_memory_bytes\{role="all"\} \d+/m);
  });

  it('a worker-only process serves its metrics on METRICS_PORT, with the token', async () => {
    const port = await freePort();
    const worker = await startTestService(database, { ROLE: 'worker', METRICS_PORT: String(port), METRICS_TOKEN });
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await apiRequest(base, 'GET', '/metrics')).status).toBe(401);
      const response = await apiRequest(base, 'GET', '/metrics', { token: METRICS_TOKEN });
      expect(response.status).toBe(200);
      expect(response.text).toMatch(/^hookflow_queue_jobs\{state="waiting",role="worker"\} \d+$/m);
    } finally {
      await worker.close();
    }
  });
});

describe('operations: structured logs', () => {
  const lines: Array<Record<string, unknown>> = [];
  let database: TestDatabase;
  let hookflow: TestService;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    const logger = new JsonLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    hookflow = await startTestService(database, { LOG_LEVEL: 'debug' }, { logger });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  it('one JSON object per line, with the request id from the request to the run', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant('Logged');
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: { EntityName: 'FormSubmit', Name: 'Traced' },
      headers: { 'x-request-id': 'req-4711' },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-request-id')).toBe('req-4711');
    const { id } = response.body as { id: string };
    expect((await hookflow.waitForWebhook(tenantId, id)).status).toBe('processed');

    const correlated = lines.filter((line) => line.requestId === 'req-4711');
    expect(correlated).toEqual([
      expect.objectContaining({ level: 'debug', context: 'IngestionService', msg: 'Webhook queued', webhookId: id, tenantId }),
      expect.objectContaining({ level: 'debug', context: 'WebhookRunnerService', msg: 'Run completed', webhookId: id, records: 1 }),
    ]);
    expect(correlated[0]).toEqual(expect.objectContaining({ time: expect.any(String), pid: process.pid }));
    expect(JSON.stringify(lines)).not.toContain(apiKey);
  });

  it('a request without an id gets one; an unsafe one is replaced', async () => {
    const plain = await apiRequest(hookflow.url, 'GET', '/health/live');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await apiRequest(hookflow.url, 'GET', '/health/live', { headers: { 'x-request-id': 'a b<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('masks keys and secrets, in fields and in messages', () => {
    const captured: string[] = [];
    const logger = new JsonLogger('info', { write: (line: string) => void captured.push(line) });
    logger.warn(
      { msg: 'Key hf_abcdefghijklmnopqrstuvwxyz0123 refused', apiKey: 'hf_abcdefghijklmnopqrstuvwxyz0123', nested: { secret: 's3cr3t-value' } },
      'Test',
    );
    logger.error(new Error('client hfs_ABCDEFGHIJKLMNOPQRSTUV failed'));
    logger.debug('not at info level');
    expect(captured).toHaveLength(2);
    const [warn, error] = captured.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warn).toEqual(
      expect.objectContaining({ level: 'warn', context: 'Test', msg: 'Key hf_[redacted] refused', apiKey: '[redacted]', nested: { secret: '[redacted]' } }),
    );
    expect(error).toEqual(expect.objectContaining({ level: 'error', msg: 'client hfs_[redacted] failed', stack: expect.stringContaining('hfs_[redacted]') }));
    expect(captured.join('\n')).not.toMatch(/abcdefghijklmnop|ABCDEFGHIJKLMNOP|s3cr3t/);
  });
});
