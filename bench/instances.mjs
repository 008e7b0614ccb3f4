// Process instances at scale (`--only instances`): what waiting instances cost (database and
// Redis bytes each), whether correlation slows down as they pile up, how fast timers due in the
// same second are worked off, and a for-each over large orders — each set against the one-pass
// rate of the default process measured minutes apart by the same API and worker. Per database.
//
// Everything goes through the service: webhooks to an API process, a worker process, the
// processes of bench/instances/*.json (below) created with the CLI. Nothing is seeded directly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cliJson } from '../test/support/cli.mjs';
import {
  BODIES,
  ROOT,
  cpuMs,
  createTenant,
  databaseKinds,
  flushAll,
  peakRssMb,
  postgresDatabase,
  round,
  sleep,
  sqliteDatabase,
  startService,
} from './shared.mjs';

const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const PREFIX = 'instances';
/** Resuming webhooks sent one at a time per measurement, after a few not counted (cold caches). */
const RESUMES = 200;
const WARMUP = 10;
/** The smaller number of waiting instances the correlation latency is measured at first. */
const FEW = 1000;
const DEFAULT_PROCESS = 'create-object-records-from-webhook';

// The processes under test, each started only by webhooks sent with its own API key.
const WAIT_FOR_ORDER = {
  id: 'bench-wait-for-payment',
  name: 'Bench: wait for the payment of an order',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['park'] },
  steps: [
    // The key is the parking webhook's id: distinct per instance while the load generator sends one body.
    { id: 'payment', type: 'wait-for-webhook', input: { key: '$webhook.id', webhookKey: 'orderId', apiKeys: ['resume'] } },
    { id: 'paid', type: 'set-variable', input: { name: 'paidBy', value: '$steps.payment.webhookId' } },
  ],
};
const WAIT_UNTIL = {
  id: 'bench-wait-until',
  name: 'Bench: wait until a time',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['timer'] },
  steps: [
    { id: 'due', type: 'wait', input: { until: 'dueAt' } },
    { id: 'woke', type: 'set-variable', input: { name: 'wokeAt', value: '$steps.due.until' } },
  ],
};
const ORDER_LINES = {
  id: 'bench-order-lines',
  name: 'Bench: one Lead per line item',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook', apiKeys: ['order'] },
  steps: [
    {
      id: 'lines',
      type: 'for-each',
      input: { items: 'line_items' },
      steps: [
        {
          id: 'lead',
          type: 'create-record',
          input: { object: 'Lead', values: { Contact: '$item.title', Notes: "'Line ' & $string($index + 1) & ', quantity ' & $string($item.quantity)" } },
        },
      ],
    },
  ],
};

export async function run(redis, options) {
  const rows = [];
  for (const kind of await databaseKinds(options)) rows.push(await atScale(redis, options, kind));
  return rows;
}

/** One database: an API and a worker on it, the four measurements in a row, then all stopped and dropped. */
async function atScale(redis, options, kind) {
  await flushAll(redis.url);
  const db = kind === 'sqlite' ? await sqliteDatabase() : await postgresDatabase(options);
  const started = [];
  let probe = null;
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-bench-instances-'));
  try {
    const setupStart = performance.now();
    const setup = await setUp(db.url, dir);
    console.log(`instances ${kind}: tenants, keys and processes made with the CLI in ${round((performance.now() - setupStart) / 1000, 1)} s`);
    // One tenant holds every waiting instance of the part: above the default WAITING_INSTANCES_PER_TENANT.
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: PREFIX,
      WAITING_INSTANCES_PER_TENANT: String(options.waiting + options.timers + 10_000),
    };
    const api = await startService({ ...env, ROLE: 'api' });
    started.push(api);
    const worker = await startService({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: String(options.concurrency) });
    started.push(worker);
    probe = await openProbe(db);
    const ctx = { redis, options, db, probe, api, worker, setup, dir, kind };
    const row = { database: kind, parkedThrough: 'service (webhooks → worker)' };
    row.waiting = await waitingAtScale(ctx);
    row.onePass = await onePass(ctx, options.timers);
    row.timers = await timersDue(ctx, row.onePass);
    const lines = options.orders * options.items;
    row.onePassForEach = lines === options.timers ? row.onePass : await onePass(ctx, lines);
    row.forEach = await forEachOrders(ctx, row.onePassForEach);
    row.peakRssMb = { api: peakRssMb(api.pid), worker: peakRssMb(worker.pid) };
    return row;
  } finally {
    for (const child of started.reverse()) await child.stop();
    await probe?.close();
    await removePrefix(redis.url);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- setup

/** Two tenants made with the CLI: one for the one-pass batches (default process), one for the processes under test. */
async function setUp(databaseUrl, dir) {
  const env = { DATABASE_URL: databaseUrl };
  const onePass = await createTenant(databaseUrl, 'Bench one-pass');
  const tenant = await cliJson(['tenant', 'create', 'Bench instances'], env);
  const keys = {};
  for (const name of ['park', 'resume', 'timer', 'order']) {
    const key = await cliJson(['apikey', 'create', '--tenant', tenant.id, '--name', name], env);
    keys[name] = key.key ?? key.apiKey;
  }
  for (const definition of [WAIT_FOR_ORDER, WAIT_UNTIL, ORDER_LINES]) {
    const file = join(dir, `${definition.id}.json`);
    writeFileSync(file, JSON.stringify(definition));
    await cliJson(['process', 'create', '--tenant', tenant.id, '--file', file], env);
  }
  // Only the processes under test run for this tenant: a resuming webhook starts nothing.
  await cliJson(['process', 'deactivate', DEFAULT_PROCESS, '--tenant', tenant.id], env);
  return { onePass, tenantId: tenant.id, keys };
}

// ---------------------------------------------------------------- 1 and 2: waiting instances, correlation

/**
 * FEW instances parked at the wait-for-webhook step and the correlation latency measured; then
 * as many more as make `--waiting`, what they added to the database and Redis, and the latency again.
 */
async function waitingAtScale(ctx) {
  const { options, setup } = ctx;
  const waits = () => ctx.probe.value('SELECT COUNT(*) AS n FROM correlation_waits WHERE tenant_id = $1', [setup.tenantId]);
  const few = await park(ctx, FEW, waits);
  const latencyFew = await correlationLatency(ctx, await waits());
  const before = await footprint(ctx);
  const more = options.waiting - (await waits());
  const bulk = await park(ctx, more, waits);
  const after = await footprint(ctx);
  const latencyMany = await correlationLatency(ctx, await waits());
  const result = {
    instances: options.waiting,
    parked: { first: few, then: bulk },
    dbBytesPerInstance: Math.round((after.dbBytes - before.dbBytes) / more),
    redisBytesPerInstance: Math.round((after.redisBytes - before.redisBytes) / more),
    db: { before: before.dbDetail, after: after.dbDetail },
    redisMb: { before: round(before.redisBytes / 1048576, 1), after: round(after.redisBytes / 1048576, 1) },
    delayedJobs: after.delayed,
    latency: [latencyFew, latencyMany],
    ratio: { median: round(latencyMany.medianMs / latencyFew.medianMs, 2), p95: round(latencyMany.p95Ms / latencyFew.p95Ms, 2) },
  };
  console.log(
    `instances ${ctx.kind}: ${more} parked in ${bulk.seconds} s (${bulk.perSecond}/s); ${result.dbBytesPerInstance} database bytes and ${result.redisBytesPerInstance} Redis bytes per waiting instance`,
  );
  console.log(
    `instances ${ctx.kind}: correlation p50/p95 ${latencyFew.medianMs}/${latencyFew.p95Ms} ms at ${latencyFew.waiting} waiting, ${latencyMany.medianMs}/${latencyMany.p95Ms} ms at ${latencyMany.waiting}; ratio ${result.ratio.median}/${result.ratio.p95}`,
  );
  return result;
}

/** `count` webhooks to the waiting process (each waits for its own webhook id); answers once all wait. */
async function park(ctx, count, waitingNow) {
  const target = (await waitingNow()) + count;
  const start = performance.now();
  const sent = await send(ctx, `${ctx.api.url}/webhooks/${ctx.setup.keys.park}`, BODIES.json.body, { connections: 64, amount: count });
  if (sent.accepted !== count) throw new Error(`${count - sent.accepted} of ${count} parking webhooks were refused`);
  const sendSeconds = (performance.now() - start) / 1000;
  await waitUntil(waitingNow, target, `waiting instances (${target})`);
  const seconds = (performance.now() - start) / 1000;
  return { count, sendSeconds: round(sendSeconds, 1), seconds: round(seconds, 1), perSecond: Math.round(count / seconds) };
}

/**
 * RESUMES webhooks one at a time, each giving the key of one random waiting instance; for each,
 * the time from its 202 to the instance stored `completed` (read from the database every ms).
 */
async function correlationLatency(ctx, waiting) {
  const picks = await ctx.probe.all(
    `SELECT correlation_key AS "key", instance_id AS "id" FROM correlation_waits WHERE tenant_id = $1 ORDER BY RANDOM() LIMIT ${RESUMES + WARMUP}`,
    [ctx.setup.tenantId],
  );
  if (picks.length < RESUMES + WARMUP) throw new Error(`only ${picks.length} instances wait`);
  const url = `${ctx.api.url}/webhooks/${ctx.setup.keys.resume}`;
  const latencies = [];
  for (const [i, pick] of picks.entries()) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: pick.key, paid: 42.5 }),
    });
    const answered = performance.now();
    if (response.status !== 202) throw new Error(`a resuming webhook got ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    for (;;) {
      const status = await ctx.probe.value('SELECT status AS n FROM process_instances WHERE id = $1', [pick.id]);
      if (status === 'completed') break;
      if (status !== 'waiting' && status !== 'running') throw new Error(`instance ${pick.id} became ${status}`);
      if (performance.now() - answered > 60_000) throw new Error(`instance ${pick.id} not completed a minute after its webhook`);
      await sleep(1);
    }
    if (i >= WARMUP) latencies.push(performance.now() - answered);
  }
  return {
    waiting,
    resumes: latencies.length,
    medianMs: round(quantile(latencies, 0.5), 1),
    p95Ms: round(quantile(latencies, 0.95), 1),
    maxMs: round(Math.max(...latencies), 1),
  };
}

// ---------------------------------------------------------------- 3: timers due together

/**
 * `--timers` instances parked at a wait step until the same whole second (far enough ahead for
 * all to be parked by then, judged from the one-pass rate); from that second, the time until all
 * are completed, as instances/s against the one-pass rate.
 */
async function timersDue(ctx, onePassRow) {
  const { options, setup, probe } = ctx;
  const count = options.timers;
  const byStatus = (status) =>
    probe.value('SELECT COUNT(*) AS n FROM process_instances WHERE tenant_id = $1 AND process_id = $2 AND status = $3', [
      setup.tenantId,
      WAIT_UNTIL.id,
      status,
    ]);
  // Parking costs more than a one-pass run; twice the one-pass time and 15 s to spare.
  const leadMs = Math.ceil((2 * count) / onePassRow.recordsPerSecond) * 1000 + 15_000;
  const due = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
  const before = await footprint(ctx);
  const start = performance.now();
  const body = JSON.stringify({ dueAt: new Date(due).toISOString(), ...JSON.parse(BODIES.json.body) });
  const sent = await send(ctx, `${ctx.api.url}/webhooks/${setup.keys.timer}`, body, { connections: 64, amount: count });
  if (sent.accepted !== count) throw new Error(`${count - sent.accepted} of ${count} timer webhooks were refused`);
  await waitUntil(() => byStatus('waiting'), count, `instances waiting for their timer (${count})`, due + 60_000);
  const parkSeconds = (performance.now() - start) / 1000;
  const after = await footprint(ctx);
  const early = await byStatus('completed');
  if (Date.now() >= due) throw new Error(`the timers were not all parked before they were due (${round(parkSeconds, 1)} s); nothing measured`);
  const cpu0 = { worker: cpuMs(ctx.worker.pid), api: cpuMs(ctx.api.pid) };
  await sleep(due - Date.now());
  // From the due second: completions counted every 250 ms (a count over 100,000 rows takes tens of
  // ms of the database's CPU: polled more often, the probe slows what it measures); the first and the last seen.
  let first = null;
  let half = null;
  for (;;) {
    const done = await byStatus('completed');
    const at = Date.now() - due;
    if (done > 0 && first === null) first = at;
    if (done >= count / 2 && half === null) half = at;
    if (done >= count) break;
    if (at > 1_800_000) throw new Error(`timers: ${done} of ${count} completed 30 minutes after they were due`);
    await sleep(250);
  }
  const allMs = Date.now() - due;
  const cpu = { worker: cpuMs(ctx.worker.pid) - cpu0.worker, api: cpuMs(ctx.api.pid) - cpu0.api };
  const perSecond = Math.round(count / (allMs / 1000));
  const row = {
    instances: count,
    parkSeconds: round(parkSeconds, 1),
    completedBeforeDue: early,
    dbBytesPerInstance: Math.round((after.dbBytes - before.dbBytes) / count),
    redisBytesPerInstance: Math.round((after.redisBytes - before.redisBytes) / count),
    firstMs: first,
    halfMs: half,
    allMs,
    perSecond,
    onePassPerSecond: onePassRow.recordsPerSecond,
    ratio: round(perSecond / onePassRow.recordsPerSecond, 2),
    // Of the time from the due second to the last completion, the share each process was on a CPU.
    cpuShare: { worker: round(cpu.worker / allMs, 2), api: round(cpu.api / allMs, 2) },
  };
  console.log(
    `instances ${ctx.kind}: ${count} timers due at once, all completed ${round(allMs / 1000, 1)} s later (first after ${first} ms): ${perSecond}/s, one-pass ${onePassRow.recordsPerSecond}/s; ratio ${row.ratio}`,
  );
  return row;
}

// ---------------------------------------------------------------- 4: for-each

/** `--orders` webhooks of `--items` line items each; records/s until every line's Lead exists, against the one-pass rate. */
async function forEachOrders(ctx, onePassRow) {
  const { options, setup, probe } = ctx;
  const lines = options.orders * options.items;
  const records = () => probe.value('SELECT COUNT(*) AS n FROM records WHERE tenant_id = $1', [setup.tenantId]);
  const completed = () =>
    probe.value("SELECT COUNT(*) AS n FROM process_instances WHERE tenant_id = $1 AND process_id = $2 AND status = 'completed'", [
      setup.tenantId,
      ORDER_LINES.id,
    ]);
  const records0 = await records();
  const order = (n) => ({
    orderId: `order-${n}`,
    customer: 'new_user@gmail.com',
    line_items: Array.from({ length: options.items }, (_, i) => ({ sku: `SKU-${n}-${i}`, title: `Item ${i + 1} of order ${n}`, quantity: 1 + (i % 5) })),
  });
  const url = `${ctx.api.url}/webhooks/${setup.keys.order}`;
  const start = performance.now();
  // Eight at a time: 100 orders are sent in well under a second, as a shop's burst would be.
  let next = 0;
  const sender = async () => {
    while (next < options.orders) {
      const n = next++;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order(n)) });
      if (response.status !== 202) throw new Error(`an order webhook got ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  await waitUntil(records, records0 + lines, `line-item records (${records0 + lines})`);
  const seconds = (performance.now() - start) / 1000;
  await waitUntil(completed, options.orders, `completed order instances (${options.orders})`);
  const recordsPerSecond = Math.round(lines / seconds);
  const row = {
    orders: options.orders,
    items: options.items,
    records: lines,
    seconds: round(seconds, 1),
    recordsPerSecond,
    onePassWebhooks: onePassRow.webhooks,
    onePassPerSecond: onePassRow.recordsPerSecond,
    ratio: round(recordsPerSecond / onePassRow.recordsPerSecond, 2),
  };
  console.log(
    `instances ${ctx.kind}: for-each ${options.orders} × ${options.items} lines: ${recordsPerSecond} records/s, one-pass ${onePassRow.recordsPerSecond}/s; ratio ${row.ratio}`,
  );
  return row;
}

// ---------------------------------------------------------------- the one-pass reference

/** `count` webhooks of the reference body to the default process, sent as fast as accepted (as e2e.mjs does); records/s. */
async function onePass(ctx, count) {
  const { tenantId } = ctx.setup.onePass;
  const records = () => ctx.probe.value('SELECT COUNT(*) AS n FROM records WHERE tenant_id = $1', [tenantId]);
  const target = (await records()) + count;
  const start = performance.now();
  const sent = await send(ctx, `${ctx.api.url}/webhooks/${ctx.setup.onePass.apiKey}`, BODIES.json.body, { connections: 64, amount: count });
  if (sent.accepted !== count) throw new Error(`${count - sent.accepted} of ${count} one-pass webhooks were refused`);
  await waitUntil(records, target, `one-pass records (${target})`);
  const seconds = (performance.now() - start) / 1000;
  const row = { webhooks: count, seconds: round(seconds, 1), recordsPerSecond: Math.round(count / seconds) };
  console.log(`instances ${ctx.kind}: one-pass ${count} webhooks: ${row.recordsPerSecond} records/s`);
  return row;
}

// ---------------------------------------------------------------- helpers

/**
 * autocannon in its own process (as shared.mjs's loadAsync, with this part's bodies). Not its
 * `-I` (a unique id per request): it sends a wrong Content-Length with it and every request times out.
 */
function send(ctx, url, body, { connections, amount }) {
  const file = join(ctx.dir, `body-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, body);
  const args = [AUTOCANNON, '-j', '-m', 'POST', '-H', 'content-type=application/json', '-i', file, '-c', String(connections), '-a', String(amount), '-t', '30'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const out = JSON.parse(stdout);
      if (out.non2xx > 0 || out.errors > 0) console.warn(`  ${out.non2xx} non-2xx answers and ${out.errors} errors`);
      resolve({ accepted: out['2xx'] });
    });
  });
}

/** Polls a count until it reaches the target; fails when it stops moving for a minute or past `deadline` (epoch ms). */
async function waitUntil(count, target, what, deadline = Infinity) {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const n = Number(await count());
    if (n >= target) return n;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 60_000) throw new Error(`${what}: stuck at ${n}`);
    if (Date.now() > deadline) throw new Error(`${what}: ${n} at the deadline`);
    await sleep(100);
  }
}

/**
 * The database's size and Redis's used_memory, once the queue has nothing left to do. SQLite:
 * the file after a checkpoint (the WAL written back and truncated); PostgreSQL: the tables that
 * waiting instances write (with their indexes and TOAST).
 */
async function footprint(ctx) {
  const client = new Redis(ctx.redis.url);
  try {
    const key = (name) => `${PREFIX}:webhooks:${name}`;
    // Nothing waiting or running: the jobs of the webhooks just sent have finished.
    await waitUntil(
      async () => -((await client.zcard(key('prioritized'))) + (await client.llen(key('wait'))) + (await client.llen(key('active')))),
      0,
      'queued jobs',
    );
    await sleep(500);
    const delayed = await client.zcard(key('delayed'));
    const redisBytes = Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
    const { bytes: dbBytes, detail: dbDetail } = await ctx.probe.size();
    return { redisBytes, dbBytes, dbDetail, delayed };
  } finally {
    client.disconnect();
  }
}

/** Reads of the database under test, with `$1` placeholders on both (in order of use). */
async function openProbe(db) {
  if (db.kind === 'sqlite') {
    const sqlite = new Database(db.path, { readonly: true, fileMustExist: true });
    const prepared = new Map();
    const statement = (sql) => {
      if (!prepared.has(sql)) prepared.set(sql, sqlite.prepare(sql.replace(/\$\d+/g, '?')));
      return prepared.get(sql);
    };
    return {
      value: async (sql, params = []) => statement(sql).get(...params)?.n ?? null,
      all: async (sql, params = []) => statement(sql).all(...params),
      async size() {
        const writer = new Database(db.path, { fileMustExist: true });
        try {
          for (let i = 0; i < 50; i++) {
            const [result] = writer.pragma('wal_checkpoint(TRUNCATE)');
            if (result.busy === 0) break;
            await sleep(100);
          }
        } finally {
          writer.close();
        }
        const file = statSync(db.path).size;
        const wal = statSync(`${db.path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
        return { bytes: file, detail: { fileBytes: file, walBytes: wal } };
      },
      close: async () => sqlite.close(),
    };
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const tables = ['process_instances', 'correlation_waits', 'wait_subscriptions', 'webhooks'];
  return {
    value: async (sql, params = []) => {
      const value = (await client.query(sql, params)).rows[0]?.n ?? null;
      return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    },
    all: async (sql, params = []) => (await client.query(sql, params)).rows,
    async size() {
      const rows = (await client.query('SELECT t AS "table", pg_total_relation_size(t::regclass) AS bytes FROM unnest($1::text[]) AS t', [tables])).rows;
      const detail = Object.fromEntries(rows.map((row) => [row.table, Number(row.bytes)]));
      return { bytes: Object.values(detail).reduce((a, b) => a + b, 0), detail };
    },
    close: () => client.end(),
  };
}

/** This part's keys, should the redis-server be a shared one some day (run.mjs starts a private one). */
async function removePrefix(redisUrl) {
  const client = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** The three tables; nothing when the part did not run. */
export function report(rows) {
  if (!rows?.length) return [];
  const lines = [
    '| Database | Waiting (wait-for-webhook) | DB bytes / instance | Redis bytes / instance | Parked / s | Resume p50 / p95 at 1,000 | at all waiting | Ratio p50 / p95 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const [few, many] = row.waiting.latency;
    lines.push(
      `| ${row.database} | ${row.waiting.instances} | ${row.waiting.dbBytesPerInstance} | ${row.waiting.redisBytesPerInstance} | ${row.waiting.parked.then.perSecond} | ${few.medianMs} / ${few.p95Ms} ms (${few.waiting}) | ${many.medianMs} / ${many.p95Ms} ms (${many.waiting}) | ${row.waiting.ratio.median} / ${row.waiting.ratio.p95} |`,
    );
  }
  lines.push(
    '',
    '| Database | Timers due in one second | DB / Redis bytes per timer | First / half / all done after | Instances/s | One-pass records/s | Ratio | Worker CPU share |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const { database, timers: t } of rows) {
    lines.push(
      `| ${database} | ${t.instances} | ${t.dbBytesPerInstance} / ${t.redisBytesPerInstance} | ${t.firstMs} / ${t.halfMs} / ${t.allMs} ms | ${t.perSecond} | ${t.onePassPerSecond} | ${t.ratio} | ${t.cpuShare.worker} |`,
    );
  }
  lines.push('', '| Database | for-each orders × items | Records/s | One-pass records/s (webhooks) | Ratio |', '|---|---:|---:|---:|---:|');
  for (const { database, forEach: f } of rows) {
    lines.push(`| ${database} | ${f.orders} × ${f.items} | ${f.recordsPerSecond} | ${f.onePassPerSecond} (${f.onePassWebhooks}) | ${f.ratio} |`);
  }
  lines.push('', `Instances parked through the service (webhooks → worker); resumes sent one at a time, ${WARMUP} not counted first.`, '');
  return lines;
}
