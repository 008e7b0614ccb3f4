import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminApi } from './support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { cliJson, runCli } from './support/cli.mjs';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const FOLLOW_UP = 'lead-order-follow-up';
const file = (path: string) => fileURLToPath(new URL(`../processes/${path}`, import.meta.url));
const form = JSON.parse(readFileSync(file('samples/lead-order-follow-up.json'), 'utf8'));
const order = JSON.parse(readFileSync(file('samples/shopify-order.json'), 'utf8'));

/** One approval per line item; a rejected line gets a Lead saying so. */
const APPROVE_EACH_LINE = {
  id: 'approve-each-line',
  name: 'Approve each line',
  version: 1,
  activeByDefault: false,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'cool', type: 'wait', input: { duration: 'PT10M' } },
    {
      id: 'lines',
      type: 'for-each',
      input: { items: 'line_items' },
      steps: [
        { id: 'approve', type: 'wait-for-approval', input: { title: 'Approve a line', details: '$item.title', timeout: 'P1D' } },
        {
          id: 'decided',
          type: 'switch',
          input: { value: '$steps.approve.decision' },
          cases: { rejected: [{ id: 'no', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Rejected ' & $item.title" } } }] },
          default: [],
        },
      ],
    },
  ],
};

type DryRun = {
  status: string;
  trace: Array<{ step: string; type: string; status: string; output?: unknown }>;
  records: Array<{ action: string; object: string; values: Record<string, unknown> }>;
  waits: Array<{ step: string; kind: string; says: string }>;
};

describe('dry runs that go on past waits', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;
  let tenantId: string;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, SERVICE_ENV);
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
    tenantId = (await hookflow.newTenant()).tenantId;
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  const test = async (body: Record<string, unknown>) => admin.post(`/api/tenants/${tenantId}/processes/${FOLLOW_UP}/test`, body);
  const steps = (result: DryRun) => result.trace.map((entry) => `${entry.step} ${entry.status}`);

  it('stops where the instance would wait, and says for what', async () => {
    const response = await test({ payload: form });
    expect(response.status).toBe(200);
    const result = response.body as DryRun;
    expect(result.status).toBe('waiting');
    expect(steps(result)).toEqual(['trigger ok', 'email ok', 'lead ok', 'order waiting']);
    expect(result.waits).toEqual([
      {
        step: 'order',
        kind: 'webhook',
        says: expect.stringMatching(/^would wait for a webhook with key "grace\.hopper@example\.com" for 2 days \(timeout at \d{4}-/),
      },
    ]);
    expect(result.records.map((record) => record.object)).toEqual(['Lead']);
  });

  it('goes on as if the order came (a sample payload), or as if none came (timeout)', async () => {
    const ordered = (await test({ payload: form, waits: { order: { payload: order } } })).body as DryRun;
    expect(ordered.status).toBe('completed');
    expect(steps(ordered)).toEqual(['trigger ok', 'email ok', 'lead ok', 'order waiting', 'order ok', 'ordered ok', 'customer ok']);
    expect(ordered.trace[4].output).toEqual({ timedOut: false, webhookId: 'dry-run', payload: order });
    expect(ordered.records.map((record) => `${record.action} ${record.object}`)).toEqual(['create Lead', 'create Contact']);
    expect(ordered.records[1].values).toMatchObject({ Email: 'grace.hopper@example.com', Name: 'Grace Hopper' });
    expect(ordered.waits).toEqual([]);

    const none = (await test({ payload: form, waits: { order: 'timeout' } })).body as DryRun;
    expect(none.status).toBe('completed');
    expect(steps(none)).toEqual(['trigger ok', 'email ok', 'lead ok', 'order waiting', 'order ok', 'ordered ok', 'crmTask ok']);
    expect(none.trace[6].output).toMatchObject({ dryRun: 'not sent' });
    expect(none.records.map((record) => record.object)).toEqual(['Lead']);
  });

  it('goes on past a timer and a decision in every iteration of a loop', async () => {
    const payload = { line_items: [{ title: 'Mug' }, { title: 'Poster' }] };
    const stopped = (await admin.post(`/api/tenants/${tenantId}/processes/test`, { definition: APPROVE_EACH_LINE, payload, waits: { cool: 'timeout' } }))
      .body as DryRun;
    expect(stopped.status).toBe('waiting');
    expect(stopped.waits).toEqual([
      { step: 'lines[0].approve', kind: 'approval', says: expect.stringMatching(/^would wait for a decision on the task "Approve a line" for 1 day/) },
    ]);
    expect(stopped.trace[0].output).toMatchObject({ waitsUntil: expect.any(String) });

    const rejected = (
      await admin.post(`/api/tenants/${tenantId}/processes/test`, {
        definition: APPROVE_EACH_LINE,
        payload,
        waits: { cool: 'timeout', approve: { decision: 'rejected', comment: 'No' }, 'lines[1].approve': { decision: 'approved' } },
      })
    ).body as DryRun;
    expect(rejected.status).toBe('completed');
    // By id for every iteration, by path for one: the second line is approved.
    expect(rejected.records.map((record) => record.values.Contact)).toEqual(['Rejected Mug']);
    expect(rejected.trace.filter((entry) => entry.step.endsWith('approve') && entry.status === 'ok').map((entry) => entry.output)).toEqual([
      { timedOut: false, decision: 'rejected', by: 'dry-run', at: expect.any(String), comment: 'No' },
      { timedOut: false, decision: 'approved', by: 'dry-run', at: expect.any(String), comment: null },
    ]);
  });

  it.each([
    [{ order: { decision: 'approved' } }, 'waits.order: a wait-for-webhook step takes "timeout" or { "payload": { … } }, not {"decision":"approved"}'],
    [{ lead: 'timeout' }, 'waits.lead: the definition has no wait step "lead" (wait, wait-for-webhook or wait-for-approval)'],
    [{ order: 'later' }, 'waits.order: a wait-for-webhook step takes "timeout" or { "payload": { … } }, not "later"'],
    [['timeout'], 'waits must be an object'],
  ])('refuses the choices %j with a reason', async (waits, message) => {
    const response = await test({ payload: form, waits });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(message) });
  });

  it('the command line prints where it stops and goes on with --wait', async () => {
    // Without --tenant the dry run uses a scratch copy of the default catalogue: this database is never opened.
    const env = { DATABASE_URL: `sqlite:${join(tmpdir(), 'hookflow-dry-run-unused', 'never.sqlite')}` };
    const stopped = await runCli(['process', 'test', file(`${FOLLOW_UP}.json`), '--payload', file(`samples/${FOLLOW_UP}.json`)], env);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain(`${FOLLOW_UP} v1: waiting`);
    expect(stopped.stdout).toMatch(/ {2}order {12}wait-for-webhook {0,}WAITS: \{"waitsForWebhook"/);
    expect(stopped.stdout).toMatch(
      /Stopped at "order": it would wait for a webhook with key "grace\.hopper@example\.com" for 2 days .*\(go on with --wait order=…\)/,
    );
    expect(stopped.stdout).not.toContain('undefined');

    const ordered = await cliJson<DryRun>(
      [
        'process',
        'test',
        file(`${FOLLOW_UP}.json`),
        '--payload',
        file(`samples/${FOLLOW_UP}.json`),
        '--wait',
        `order=@${file('samples/shopify-order.json')}`,
        '--json',
      ],
      env,
    );
    expect(ordered.status).toBe('completed');
    expect(ordered.records.map((record) => record.object)).toEqual(['Lead', 'Contact']);
    const bad = await runCli(['process', 'test', file(`${FOLLOW_UP}.json`), '--payload', file(`samples/${FOLLOW_UP}.json`), '--wait', 'order'], env);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('--wait: "order" is not <step>=<choice>') });
  });
});
