import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminApi, getToken } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { freePort } from './support/redis-server.mjs';
import { startTestService, type TestService } from './support/test-service.js';

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

  const scrape = (authorization?: string) =>
    fetch(`${hookflow.url}/metrics`, { headers: authorization ? { authorization } : {} });

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
    expect(((await refused.json()) as { message: string }).message).toBe('Only a platform client may read metrics');
  });

  it('counts webhooks by tenant and status, runs, record writes and the queue', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant('Measured');
    const webhook = await hookflow.deliver(tenantId, apiKey, { EntityName: 'FormSubmit', Name: 'Counted' });
    expect(webhook.status).toBe('processed');
    expect((await hookflow.postJson(`/webhooks/${apiKey}`, [1])).status).toBe(400);
    expect((await hookflow.postJson('/webhooks/hf_unknown_key_000000000000000000000000000000000', {})).status).toBe(401);

    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'hookflow_webhooks_received_total', { tenant: tenantId, status: '202' })).toBe(1);
    expect(sample(text, 'hookflow_webhooks_received_total', { tenant: tenantId, status: '400' })).toBe(1);
    expect(sample(text, 'hookflow_webhooks_received_total', { tenant: 'unknown', status: '401' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hookflow_runs_total', { tenant: tenantId, status: 'succeeded' })).toBe(1);
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
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const response = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^hookflow_queue_jobs\{state="waiting",role="worker"\} \d+$/m);
    } finally {
      await worker.close();
    }
  });
});
