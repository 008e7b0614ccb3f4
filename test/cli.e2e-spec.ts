import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CANADA_ID } from '../src/catalogue/default-catalogue.js';
import { cliJson, runCli } from './support/cli.mjs';
import { apiRequest, pollUntil } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const example = JSON.parse(readFileSync(new URL('./fixtures/creatio-example.json', import.meta.url), 'utf8'));

describe.each(databaseKinds())('the hookflow command line beside a running service (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let env: Record<string, string>;
  let tenantId: string;
  let key: { id: string; name: string; apiKey: string; webhookUrl: string };

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database);
    env = { DATABASE_URL: database.url, PUBLIC_BASE_URL: 'https://hooks.example.com/' };
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  it('tenant create prints the new tenant', async () => {
    const tenant = await cliJson<{ id: string; name: string }>(['tenant', 'create', 'Acme Inc'], env);
    expect(tenant).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Acme Inc', rateLimitPerMinute: null });
    tenantId = tenant.id;
  });

  it('apikey create prints the key once, with the webhook URL', async () => {
    key = await cliJson(['apikey', 'create', '--tenant', tenantId, '--name', 'Landing page'], env);
    expect(key).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Landing page',
      apiKey: expect.stringMatching(/^hf_[A-Za-z0-9_-]{43}$/),
      webhookUrl: `https://hooks.example.com/webhooks/${key.apiKey}`,
    });
    const listed = await cliJson<Array<Record<string, unknown>>>(['apikey', 'list', '--tenant', tenantId], env);
    expect(listed).toEqual([expect.objectContaining({ id: key.id, name: 'Landing page', revokedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(key.apiKey);
  });

  it('a webhook sent with that key shows in webhooks list and records list', async () => {
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { body: { ...example, utm_campaign: 'spring' } });
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    await hookflow.waitForWebhook(tenantId, id);

    const leads = await cliJson<Array<Record<string, unknown>>>(['records', 'list', '--tenant', tenantId, '--entity', 'Lead'], env);
    expect(leads).toEqual([
      expect.objectContaining({
        Id: expect.any(String),
        Contact: 'New user',
        Email: 'new_user@gmail.com',
        MobilePhone: '+1 617 221 5187',
        CountryId: CANADA_ID,
      }),
    ]);

    const webhooks = await cliJson<Array<Record<string, unknown>>>(['webhooks', 'list', '--tenant', tenantId], env);
    expect(webhooks).toEqual([
      {
        id,
        receivedAt: expect.any(String),
        apiKeyId: key.id,
        status: 'processed',
        reason: null,
        recordIds: [leads[0].Id],
        nextAttemptAt: null,
      },
    ]);

    const shown = await cliJson<{ runs: Array<{ processId: string; status: string; trace: Array<Record<string, unknown>> }> }>(
      ['webhooks', 'show', id, '--tenant', tenantId],
      env,
    );
    expect(shown.runs).toHaveLength(1);
    expect(shown.runs[0]).toMatchObject({ processId: 'create-object-records-from-webhook', status: 'completed' });
    const mapping = shown.runs[0].trace.find((entry) => entry.step === 'fields');
    expect(mapping).toMatchObject({ status: 'ok', output: { ignored: ['utm_campaign'] } });
  });

  it('webhooks map prints the proposed mapping of a kept webhook and writes its definition for process create', async () => {
    const tally = JSON.parse(readFileSync(new URL('./fixtures/forms/tally.json', import.meta.url), 'utf8'));
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { body: tally });
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    expect((await hookflow.waitForWebhook(tenantId, id)).status).toBe('received');
    const file = join(mkdtempSync(join(tmpdir(), 'hookflow-map-')), 'map.json');
    const proposal = await cliJson<{ object: string; objectChosen: string; parameters: Array<{ column: string | null; reason: string | null }> }>(
      ['webhooks', 'map', id, '--tenant', tenantId, '--object', 'Lead', '--definition', file],
      env,
    );
    expect(proposal).toMatchObject({ object: 'Lead', objectChosen: 'given' });
    expect(proposal.parameters).toContainEqual(expect.objectContaining({ column: 'CountryId', reason: 'lookup-value' }));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ id: 'map-tally-lead', steps: [{ type: 'create-record' }] });
  });

  it('process deactivate and activate switch the default process for the tenant', async () => {
    const processId = 'create-object-records-from-webhook';
    const before = await cliJson<Array<{ id: string; active: boolean }>>(['process', 'list', '--tenant', tenantId], env);
    expect(before).toContainEqual(expect.objectContaining({ id: processId, active: true, version: 1 }));

    await cliJson(['process', 'deactivate', processId, '--tenant', tenantId], env);
    expect(await untilStatus('received')).toMatchObject({ status: 'received', recordIds: [] });
    expect(await cliJson(['process', 'list', '--tenant', tenantId], env)).toContainEqual(
      expect.objectContaining({ id: processId, source: 'base', active: false }),
    );

    await cliJson(['process', 'activate', processId, '--tenant', tenantId], env);
    expect((await untilStatus('processed')).status).toBe('processed');
  });

  /**
   * Sends webhooks until one ends with the status: a change made by the CLI (another OS
   * process) reaches the service's worker within PROCESS_CACHE_MS, and must within 2 s.
   */
  async function untilStatus(status: string) {
    const deadline = Date.now() + 2000;
    for (;;) {
      const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { body: example });
      const { id } = response.body as { id: string };
      const webhook = await hookflow.waitForWebhook(tenantId, id);
      if (webhook.status === status || Date.now() > deadline) return webhook;
    }
  }

  it("apikey signature takes the settings of the registry's schemes: an HMAC key refuses unsigned webhooks and accepts signed ones", async () => {
    const other = await cliJson<{ id: string; apiKey: string }>(['apikey', 'create', '--tenant', tenantId, '--name', 'Signed source'], env);
    const secret = 'a-long-signing-secret';
    const args = [
      'apikey',
      'signature',
      other.id,
      '--tenant',
      tenantId,
      '--scheme',
      'hmac',
      '--secret',
      secret,
      '--header',
      'X-Body-Signature',
      '--prefix',
      'sha256=',
    ];
    expect(await cliJson(args, env)).toMatchObject({ id: other.id, signatureScheme: 'hmac' });
    const bad = await runCli(
      ['apikey', 'signature', other.id, '--tenant', tenantId, '--scheme', 'hmac', '--secret', secret, '--header', 'X-Body-Signature', '--algorithm', 'md5'],
      env,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('algorithm: sha256 or sha512');

    const body = JSON.stringify(example);
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    // The key cache of the running service forgets the key's old settings within API_KEY_CACHE_MS.
    const unsigned = await pollUntil(
      () => apiRequest(hookflow.url, 'POST', `/webhooks/${other.apiKey}`, { body }),
      (response) => response.status !== 202,
      5000,
      'the unsigned webhook refused',
    );
    expect(unsigned.status).toBe(401);
    const signed = await apiRequest(hookflow.url, 'POST', `/webhooks/${other.apiKey}`, { body, headers: { 'x-body-signature': signature } });
    expect(signed.status).toBe(202);
  });

  it('apikey revoke stops the key at the running service within the key cache time (2 s)', async () => {
    const revoked = await runCli(['apikey', 'revoke', key.id, '--tenant', tenantId], env);
    expect(revoked.code).toBe(0);
    // The revocation was stored before the CLI exited: from then on, the key's cache entry in the
    // service is at most API_KEY_CACHE_MS old. Requests every 100 ms; the first refused one counts.
    const revokedBy = Date.now();
    const deadline = revokedBy + hookflow.config.apiKeyCacheMs + 3000;
    let refusedAfter = Infinity;
    while (Date.now() < deadline) {
      const sentAt = Date.now();
      if ((await apiRequest(hookflow.url, 'POST', `/webhooks/${key.apiKey}`, { body: example })).status === 401) {
        refusedAfter = sentAt - revokedBy;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(hookflow.config.apiKeyCacheMs).toBe(2000);
    expect(refusedAfter).toBeLessThanOrEqual(hookflow.config.apiKeyCacheMs + 250);
    const listed = await cliJson<Array<{ revokedAt: string | null }>>(['apikey', 'list', '--tenant', tenantId], env);
    expect(listed[0].revokedAt).toEqual(expect.any(String));
  });

  it('mistakes get a message and exit code 1', async () => {
    // Independent mistakes, each its own CLI process, run side by side.
    const [unknownObject, missingOption, unknownTenant, unknownProcess, badConfig] = await Promise.all([
      runCli(['records', 'list', '--tenant', tenantId, '--entity', 'Invoice'], env),
      runCli(['apikey', 'create', '--name', 'x'], env),
      runCli(['apikey', 'create', '--tenant', 'nope', '--name', 'x'], env),
      runCli(['process', 'deactivate', 'no-such-process', '--tenant', tenantId], env),
      runCli(['tenant', 'list'], { ...env, DATABASE_URL: 'mysql://x' }),
    ]);
    expect(unknownObject.code).toBe(1);
    expect(unknownObject.stderr).toContain('Object "Invoice" does not exist');
    expect(missingOption.code).toBe(1);
    expect(missingOption.stderr).toContain("required option '--tenant <tenantId>' not specified");
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toContain('Tenant nope does not exist');
    expect(unknownProcess.code).toBe(1);
    expect(unknownProcess.stderr).toContain('Process "no-such-process" does not exist');
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toContain('DATABASE_URL');
  });
});

describe('hookflow process validate and test', () => {
  const processes = fileURLToPath(new URL('../processes', import.meta.url));
  const shipped = readdirSync(processes).filter((file) => file.endsWith('.json') && file !== 'process.schema.json');
  // These commands need no stored data: they must not create a database either.
  const env = { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'hookflow-cli-')), 'never-created.sqlite')}` };

  it('validates every shipped definition', async () => {
    const result = await runCli(['process', 'validate', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Array<{ file: string; valid: boolean }>;
    expect(report.map((entry) => entry.valid)).toEqual(shipped.map(() => true));
    expect(report).toHaveLength(shipped.length);
  });

  it('names the file, the JSON path and the problem of a broken definition, with exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-defs-'));
    const file = join(dir, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'broken',
        name: 'Broken',
        version: 1,
        activeByDefault: true,
        trigger: { type: 'webhook' },
        steps: [{ id: 'map', type: 'map', input: { fields: { Name: 'first &' } } }],
      }),
    );
    const result = await runCli(['process', 'validate', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('broken.json: /steps/0/input/fields/Name: expression does not parse');
  });

  // What a sample makes of the examples that do more than write one record.
  const outcomes: Record<string, { status: string; objects: string[] }> = {
    'shopify-order.json': { status: 'completed', objects: ['Order', 'OrderProduct', 'OrderProduct', 'OrderProduct'] },
    // A dry run stops where the instance would wait for the shop's order.
    'lead-order-follow-up.json': { status: 'waiting', objects: ['Lead'] },
    // A dry run sends no request: the pull finds no sign-ups to write.
    'nightly-signups-pull.json': { status: 'completed', objects: [] },
  };

  it.each(shipped)('dry-runs %s against its sample payload without writing anything', async (file) => {
    const sample = join(processes, 'samples', file);
    const dryRun = await cliJson<{ status: string; records: Array<{ action: string; object: string }> }>(
      ['process', 'test', join(processes, file), '--payload', sample, '--api-key', 'Landing page'],
      env,
    );
    const expected = outcomes[file];
    expect(dryRun.status).toBe(expected?.status ?? 'completed');
    expect(dryRun.records).toEqual(
      expected ? expected.objects.map((object) => expect.objectContaining({ action: 'create', object })) : [expect.objectContaining({ action: 'create' })],
    );
    expect(readdirSync(join(env.DATABASE_URL.slice('sqlite:'.length), '..'))).toEqual([]);
  });
});
