import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { createRedisClient } from '../../src/common/redis-connection.js';
import { startService, type RunningService, type StartOptions } from '../../src/app.js';
import { RecordsService, type RecordView } from '../../src/catalogue/records.service.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { WebhookLogService, type WebhookDetail, type WebhookView } from '../../src/webhooks/webhook-log.service.js';
import { apiRequest } from './admin-client.js';
import type { TestDatabase } from './databases.js';

export interface TestService {
  url: string;
  config: AppConfig;
  service: RunningService;
  /** A new tenant with one API key, as an operator would set it up with the CLI. */
  newTenant(name?: string): Promise<{ tenantId: string; apiKey: string; apiKeyId: string }>;
  /** Sends a JSON webhook, expects 202, waits for the worker and answers the log entry. */
  deliver(tenantId: string, apiKey: string, body: unknown): Promise<WebhookDetail>;
  /** Waits until the worker has finished with the webhook, then answers its log entry. */
  waitForWebhook(tenantId: string, webhookId: string, timeoutMs?: number): Promise<WebhookDetail>;
  webhooks(tenantId: string): Promise<WebhookView[]>;
  records(tenantId: string, objectName: string): Promise<RecordView[]>;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/**
 * The real service (HTTP API + worker unless a role is given) on a real database and Redis,
 * listening on a free loopback port, with a Redis prefix of its own.
 */
export async function startTestService(
  database: TestDatabase,
  env: Record<string, string> = {},
  options: StartOptions = { logger: false },
): Promise<TestService> {
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    HOST: '127.0.0.1',
    PORT: '0',
    JOB_BACKOFF_MS: '20',
    // Swagger UI's static files come through @fastify/static, whose ES-module dependency the test
    // runner cannot load on Node 20; the UI is checked against the built service instead.
    OPENAPI_UI: 'false',
    QUEUE_DASHBOARD: 'false',
    ...env,
  });
  const service = await startService(config, options);
  const url = service.url ?? '';
  const get = <T>(type: new (...args: never[]) => T): T => service.app.get(type, { strict: false });

  const waitForWebhook = async (tenantId: string, webhookId: string, timeoutMs = 10_000): Promise<WebhookDetail> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await get(WebhookLogService).find(tenantId, webhookId);
      if (found && found.status !== 'queued') return found;
      if (Date.now() > deadline) {
        throw new Error(`Webhook ${webhookId} not finished after ${timeoutMs} ms (${found?.status ?? 'not in the log'})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  return {
    url,
    config,
    service,
    get,
    async deliver(tenantId, apiKey, body) {
      const response = await apiRequest(url, 'POST', `/webhooks/${apiKey}`, { body });
      if (response.status !== 202) throw new Error(`Expected 202, got ${response.status}: ${response.text}`);
      return waitForWebhook(tenantId, response.body.id as string);
    },
    async newTenant(name = 'Tenant') {
      const tenant = await get(TenantsService).create(name);
      const key = await get(ApiKeysService).create(tenant.id, 'Test source');
      return { tenantId: tenant.id, apiKey: key.apiKey, apiKeyId: key.id };
    },
    waitForWebhook,
    webhooks: (tenantId) => get(WebhookLogService).list(tenantId, 100_000),
    records: (tenantId, objectName) => get(RecordsService).list(tenantId, objectName, 100_000),
    async close() {
      await service.close();
      await deleteKeys(config);
    },
  };
}

/** Removes the test's Redis keys, so a shared Redis is left as it was found. */
async function deleteKeys(config: AppConfig): Promise<void> {
  const client = createRedisClient(config, { lazyConnect: true, reconnect: false, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    // SCAN goes to one node: in a cluster, ask each master for its own keys.
    for (const node of client instanceof Cluster ? client.nodes('master') : [client]) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${config.redisPrefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await node.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch {
    // Redis already gone (a test stopped it): nothing to clean.
  } finally {
    client.disconnect();
  }
}
