import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OutboundHttp } from '../../src/engine/outbound-http.js';
import { ProcessesService } from '../../src/engine/processes.service.js';
import { InstancesService } from '../../src/engine/instances.service.js';
import { apiRequest } from '../support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { forwardingProcess, startExternalSystem } from '../support/external-system.js';
import { startTestService, type TestService } from '../support/test-service.js';

const HINT = 'set HTTP_ALLOW_PRIVATE_NETWORKS=true to allow';

describe.each(databaseKinds())('outbound addresses of http-request steps (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;
  let port: string;

  beforeAll(async () => {
    crm = await startExternalSystem({ '/contacts': [[201, { id: 1 }]] });
    port = new URL(crm.url).port;
    database = await createDatabase(kind);
    // One attempt: a refused address is permanent, and anything that is not refused shows at once.
    hookflow = await startTestService(database, { JOB_ATTEMPTS: '1' });
  });

  afterAll(async () => {
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  async function sendTo(url: string) {
    const tenant = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    await processes.setActive(tenant.tenantId, 'create-object-records-from-webhook', false);
    await processes.create(tenant.tenantId, forwardingProcess('forward', url));
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${tenant.apiKey}`, { body: { Email: 'ada@example.com' } });
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    const webhook = await hookflow.waitForWebhook(tenant.tenantId, id, 15_000);
    const runs = await hookflow.get(InstancesService).forWebhook(tenant.tenantId, id);
    return { webhook, runs };
  }

  // Every host names the external system on loopback, in a spelling that does not look like 127.0.0.1.
  it.each([
    ['[::127.0.0.1]', '::7f00:1 is a loopback, link-local or private address: IPv4-compatible form of 127.0.0.1, which is loopback'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1 is a loopback, link-local or private address: IPv4-mapped form of 127.0.0.1'],
    ['[::ffff:0:7f00:1]', '::ffff:0:7f00:1 is a loopback, link-local or private address: IPv4-translated form of 127.0.0.1'],
    ['[64:ff9b::7f00:1]', '64:ff9b::7f00:1 is a loopback, link-local or private address: NAT64 form of 127.0.0.1'],
    ['[2002:7f00:1::]', '2002:7f00:1:: is a loopback, link-local or private address: 6to4 form of 127.0.0.1'],
    ['[fec0::1]', 'fec0::1 is a loopback, link-local or private address: site-local (fec0::/10)'],
    ['2130706433', '127.0.0.1 is a loopback, link-local or private address: loopback (127.0.0.0/8)'],
    ['0x7f.1', '127.0.0.1 is a loopback, link-local or private address: loopback (127.0.0.0/8)'],
    ['127.1', '127.0.0.1 is a loopback, link-local or private address: loopback (127.0.0.0/8)'],
    ['localhost', 'is a loopback, link-local or private address: loopback'],
  ])('refuses http://%s:<port>/ without sending anything, and the webhook log says why', async (host, why) => {
    const before = crm.received.length;
    const { webhook, runs } = await sendTo(`http://${host}:${port}/contacts`);
    expect(webhook).toMatchObject({ status: 'received', recordIds: [] });
    expect(webhook.reason).toContain(`Refused: `);
    expect(webhook.reason).toContain(why);
    expect(webhook.reason).toContain(HINT);
    expect(runs).toEqual([expect.objectContaining({ status: 'failed', errorCode: 'HTTP_REJECTED' })]);
    expect(crm.received.length).toBe(before);
  });

  // The check itself, never a request: nothing in these tests leaves the machine.
  it('lets public addresses and their IPv6 forms pass the check, and refuses internal ones', () => {
    const outbound = hookflow.get(OutboundHttp);
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
      expect(outbound.refusal(address)).toBeNull();
    }
    expect(outbound.refusal('198.18.0.1')).toBe(`Refused: 198.18.0.1 is a loopback, link-local or private address: benchmarking (198.18.0.0/15) (${HINT})`);
    expect(outbound.refusal('192.0.2.10')).toContain('documentation (192.0.2.0/24)');
  });

  it('allows every address with HTTP_ALLOW_PRIVATE_NETWORKS=true', () => {
    const allowing = new OutboundHttp({ ...hookflow.config, httpAllowPrivateNetworks: true });
    expect(allowing.refusal('::127.0.0.1')).toBeNull();
    expect(allowing.refusal('10.0.0.1')).toBeNull();
  });
});
