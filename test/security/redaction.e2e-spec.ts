import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcessesService } from '../../src/engine/processes.service.js';
import { InstancesService } from '../../src/engine/instances.service.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { createDatabase, type TestDatabase } from '../support/databases.js';
import { forwardingProcess, startExternalSystem } from '../support/external-system.js';
import { startTestService, type TestService } from '../support/test-service.js';

/**
 * Viewers read a webhook's reason and its runs' traces: credentials in a step's URL and secrets in
 * another system's error answer must not reach them, nor the logs.
 */
describe("credentials in step URLs and other systems' answers", () => {
  const logger = new CapturingLogger();
  let database: TestDatabase;
  let hookflow: TestService;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;

  beforeAll(async () => {
    crm = await startExternalSystem({
      '/refuse?api_key=key-in-query-42&source=web': [[400, { error: 'invalid_grant', refresh_token: 'refresh-in-body-77' }]],
      '/down?api_key=key-in-query-42': [[503, 'upstream says refresh_token=refresh-in-text-88']],
    });
    database = await createDatabase('sqlite');
    hookflow = await startTestService(
      database,
      { HTTP_ALLOW_PRIVATE_NETWORKS: 'true', JOB_BACKOFF_MS: '5', JOB_ATTEMPTS: '2', LOG_LEVEL: 'debug' },
      { logger },
    );
  });

  afterAll(async () => {
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  async function run(path: string) {
    const tenant = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenant.tenantId, 'create-object-records-from-webhook', false);
    const url = crm.url.replace('http://', 'http://crm-user:pass-in-url-55@');
    await processes.create(tenant.tenantId, forwardingProcess('leaky', `${url}${path}`));
    const webhook = await hookflow.deliver(tenant.tenantId, tenant.apiKey, { Email: 'ada@example.com' });
    const runs = await hookflow.get(InstancesService).forWebhook(tenant.tenantId, webhook.id);
    return { webhook, shown: JSON.stringify([webhook, runs]) };
  }

  const SECRETS = ['pass-in-url-55', 'crm-user', 'key-in-query-42', 'refresh-in-body-77', 'refresh-in-text-88'];

  it('a 4xx answer: the reason names the system and the status, without the secrets', async () => {
    const { webhook, shown } = await run('/refuse?api_key=key-in-query-42&source=web');

    expect(crm.received.some((call) => call.url.includes('api_key=key-in-query-42'))).toBe(true);
    expect(webhook.reason).toContain(`POST ${crm.url}/refuse?api_key=…&source=… answered 400`);
    expect(webhook.reason).toContain('"refresh_token":"[redacted]"');
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    for (const secret of SECRETS) expect(logger.lines.join('\n')).not.toContain(secret);
  });

  it('a 5xx answer retried to the end: neither the reason nor the logs carry the secrets', async () => {
    const { webhook, shown } = await run('/down?api_key=key-in-query-42');

    expect(webhook.status).toBe('failed');
    expect(webhook.reason).toContain(`POST ${crm.url}/down?api_key=… answered 503`);
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    for (const secret of SECRETS) expect(logger.lines.join('\n')).not.toContain(secret);
  });
});
