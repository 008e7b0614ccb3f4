// `npm run bench`: the service side by side with bare baselines, in one run on one machine.
// Prints tables and writes bench/results/<time>.json. See docs/performance.md.
//
//   node bench/run.mjs [--only ingest,forms,e2e,soak,fairness] [--duration 4] [--rounds 3] [--connections 1,16,64]
//                      [--e2e 20000] [--concurrency 32] [--soak 10000,100000] [--fairness 30000] [--databases sqlite,postgres] [--no-postgres]
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, startRedis } from '../test/support/redis-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const children = new Set();
const BODY_DIR = mkdtempSync(join(tmpdir(), 'hookflow-bench-bodies-'));

const options = parseArgs(process.argv.slice(2));
// The reference documentation's example webhook.
const REFERENCE = JSON.stringify({
  Contact: 'New user',
  Email: 'new_user@gmail.com',
  MobilePhone: '+1 617 221 5187',
  CountryId: 'f8af0e88-f36b-1410-fa98-00155d043204',
  EntityName: 'Lead',
});

main().catch(async (error) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});

async function main() {
  const started = new Date();
  const redis = await startRedis();
  const result = { startedAt: started.toISOString(), machine: machine(), options, ingest: [], e2e: [], soak: [], fairness: null };
  try {
    if (options.only.has('ingest') || options.only.has('forms')) result.ingest = await ingestBench(redis);
    if (options.only.has('e2e')) result.e2e = await endToEndBench(redis);
    if (options.only.has('soak')) result.soak = await soakBench(redis);
    if (options.only.has('fairness')) result.fairness = await fairnessBench(redis);
  } finally {
    await stopAll();
    await redis.stop();
    rmSync(BODY_DIR, { recursive: true, force: true });
  }
  result.finishedAt = new Date().toISOString();
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\n${report(result)}\nResults: ${file}`);
}

// ---------------------------------------------------------------- ingest

const BODIES = {
  json: { contentType: 'application/json', body: REFERENCE },
  urlencoded: {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(JSON.parse(REFERENCE)).toString(),
  },
  multipart: (() => {
    const boundary = 'hookflowbenchboundary';
    const fields = Object.entries(JSON.parse(REFERENCE))
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: `${fields}--${boundary}--\r\n` };
  })(),
};

async function ingestBench(redis) {
  const kinds = [...(options.only.has('ingest') ? ['json'] : []), ...(options.only.has('forms') ? ['urlencoded', 'multipart'] : [])];
  const db = await sqliteDatabase();
  const { apiKey } = await createTenant(db.url);
  const service = await startServiceProcess({ ROLE: 'api', DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: 'svc' });
  const baseline = await startBaselineIngest(redis.url);
  const rows = [];
  try {
    for (const kind of kinds) {
      for (const connections of options.connections) {
        const row = { body: kind, connections, rounds: [] };
        // Several rounds, alternating who goes first, and the median of each: the machine's speed
        // drifts from one minute to the next, and neither side should always meet a warmer one.
        for (let round = 0; round < options.rounds; round++) {
          const order = round % 2 === 0 ? ['baseline', 'service'] : ['service', 'baseline'];
          const result = {};
          for (const who of order) {
            const target = who === 'service' ? service : baseline;
            await load(`${target.url}/webhooks/${apiKey}`, BODIES[kind], { connections, duration: 1 }); // warm-up
            await flushQueues(redis.url);
            const cpuBefore = cpuMs(target.pid);
            result[who] = await load(`${target.url}/webhooks/${apiKey}`, BODIES[kind], { connections, duration: options.duration });
            // CPU time per accepted request: steadier than req/s when other work shares the machine.
            result[who].cpuUsPerRequest = Math.round(((cpuMs(target.pid) - cpuBefore) * 1000) / result[who].accepted);
          }
          row.rounds.push(result);
        }
        for (const who of ['service', 'baseline']) row[who] = medianOf(row.rounds.map((result) => result[who]));
        row.ratio = round(row.service.rps / row.baseline.rps, 2);
        row.cpuRatio = round(row.baseline.cpuUsPerRequest / row.service.cpuUsPerRequest, 2);
        rows.push(row);
        console.log(
          `ingest ${kind} c=${connections}: service ${row.service.rps} req/s p99 ${row.service.p99} ms ${row.service.cpuUsPerRequest} µs CPU/req; ` +
            `baseline ${row.baseline.rps} req/s p99 ${row.baseline.p99} ms ${row.baseline.cpuUsPerRequest} µs CPU/req; ratio ${row.ratio} (CPU ${row.cpuRatio})`,
        );
      }
    }
    return { rows, peakRssMb: { service: peakRssMb(service.pid), baseline: peakRssMb(baseline.pid) } };
  } finally {
    await service.stop();
    await baseline.stop();
    await db.drop();
  }
}

/** autocannon in its own process, so the load generator does not share the server's event loop. */
async function load(url, { contentType, body }, { connections, duration, amount }) {
  const args = [...cannonArgs({ contentType, body }), '-c', String(connections)];
  if (amount) args.push('-a', String(amount), '-t', '30');
  else args.push('-d', String(duration));
  const run = spawnSync(process.execPath, [...args, url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`autocannon failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout);
  const accepted = out['2xx'];
  if (out.non2xx > 0 || out.errors > 0) {
    console.warn(`  ${url}: ${out.non2xx} non-2xx answers and ${out.errors} errors out of ${out.requests.sent}`);
  }
  return {
    rps: Math.round(accepted / out.duration),
    p50: out.latency.p50,
    p99: out.latency.p99,
    accepted,
    failed: out.non2xx + out.errors,
  };
}

// ---------------------------------------------------------------- end to end

async function endToEndBench(redis) {
  const rows = [];
  for (const kind of await databaseKinds()) {
    for (const workers of [1, 2]) {
      const service = await endToEnd(redis, kind, workers, 'service', options.e2e);
      const baseline = await endToEnd(redis, kind, workers, 'baseline', options.e2e);
      const row = { database: kind, workers, webhooks: options.e2e, service, baseline, ratio: round(service.recordsPerSecond / baseline.recordsPerSecond, 2) };
      rows.push(row);
      console.log(
        `e2e ${kind} ${workers} worker(s): service ${service.recordsPerSecond} records/s, baseline ${baseline.recordsPerSecond}; ratio ${row.ratio}`,
      );
    }
  }
  for (const kind of new Set(rows.map((row) => row.database))) {
    const one = rows.find((row) => row.database === kind && row.workers === 1);
    const two = rows.find((row) => row.database === kind && row.workers === 2);
    if (one && two) two.scaling = round(two.service.recordsPerSecond / one.service.recordsPerSecond, 2);
  }
  return rows;
}

/** N webhooks sent as fast as they are accepted; the time until N records exist. */
async function endToEnd(redis, kind, workerCount, who, count) {
  await flushAll(redis.url);
  const db = kind === 'sqlite' ? await sqliteDatabase() : await postgresDatabase();
  const prefix = `${who}${workerCount}`;
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: prefix };
  let api;
  const workers = [];
  try {
    let url;
    let count0 = 0;
    let counter;
    if (who === 'service') {
      const { apiKey } = await createTenant(db.url);
      api = await startServiceProcess({ ...env, ROLE: 'api' });
      for (let i = 0; i < workerCount; i++) workers.push(await startServiceProcess({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: String(options.concurrency) }));
      url = `${api.url}/webhooks/${apiKey}`;
      counter = await recordCounter(db, 'records');
    } else {
      api = await startBaselineIngest(redis.url, prefix);
      for (let i = 0; i < workerCount; i++) workers.push(await startBaselineWorker(redis.url, db.url, prefix));
      url = `${api.url}/webhooks/baseline`;
      counter = await recordCounter(db, 'baseline_records');
    }
    count0 = await counter.count();
    const redisBefore = await redisMemoryMb(redis.url);
    const start = performance.now();
    const sending = loadAsync(url, BODIES.json, { connections: 64, amount: count });
    const sent = await sending;
    const sentMs = performance.now() - start;
    await counter.waitFor(count0 + sent.accepted, 600_000);
    const elapsedMs = performance.now() - start;
    await counter.close();
    return {
      accepted: sent.accepted,
      sendSeconds: round(sentMs / 1000, 1),
      seconds: round(elapsedMs / 1000, 1),
      recordsPerSecond: Math.round(sent.accepted / (elapsedMs / 1000)),
      peakRssMb: { api: peakRssMb(api.pid), workers: workers.map((worker) => peakRssMb(worker.pid)) },
      redisMb: { before: redisBefore, after: await redisMemoryMb(redis.url) },
    };
  } finally {
    for (const worker of workers) await worker.stop();
    await api?.stop();
    await db.drop();
  }
}

/** The body goes in a file: a multipart body starts with "--", which autocannon would take for an option. */
function cannonArgs({ contentType, body }) {
  const file = join(BODY_DIR, `${Buffer.from(contentType).toString('hex').slice(0, 40)}.body`);
  writeFileSync(file, body);
  return [AUTOCANNON, '-j', '-m', 'POST', '-H', `content-type=${contentType}`, '-i', file];
}

/** Same as load(), without blocking this process's event loop (the counter polls meanwhile). */
function loadAsync(url, { contentType, body }, { connections, amount }) {
  return new Promise((resolve, reject) => {
    const args = [...cannonArgs({ contentType, body }), '-c', String(connections), '-a', String(amount), '-t', '30'];
    const child = spawn(process.execPath, [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const out = JSON.parse(stdout);
      if (out.non2xx > 0 || out.errors > 0) console.warn(`  ${out.non2xx} non-2xx answers and ${out.errors} errors`);
      resolve({ accepted: out['2xx'] });
    });
  });
}

// ---------------------------------------------------------------- soak

/** RSS after a short and a long run on the same processes: it must not grow with the count. */
async function soakBench(redis) {
  return withApiAndWorker(redis, await sqliteDatabase(), 'soak', async ({ db, api, worker, counter }) => {
    const { apiKey } = await createTenant(db.url);
    const rows = [];
    let expected = await counter.count();
    const redisStart = await redisMemoryMb(redis.url);
    for (const count of options.soak) {
      const start = performance.now();
      const sent = await loadAsync(`${api.url}/webhooks/${apiKey}`, BODIES.json, { connections: 64, amount: count });
      expected += sent.accepted;
      await counter.waitFor(expected, 1_800_000);
      const row = {
        webhooks: count,
        seconds: round((performance.now() - start) / 1000, 1),
        rssMb: { api: rssMb(api.pid), worker: rssMb(worker.pid) },
        redisMb: { start: redisStart, after: await redisMemoryMb(redis.url) },
      };
      rows.push(row);
      console.log(`soak ${count}: api ${row.rssMb.api} MB, worker ${row.rssMb.worker} MB, redis ${row.redisMb.after} MB (${row.seconds} s)`);
    }
    return rows;
  });
}

/** An API and one worker on the database, with a counter of its records; all stopped after fn. */
async function withApiAndWorker(redis, db, prefix, fn) {
  await flushAll(redis.url);
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: prefix };
  const started = [];
  let counter;
  try {
    const api = await startServiceProcess({ ...env, ROLE: 'api' });
    started.push(api);
    const worker = await startServiceProcess({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: String(options.concurrency) });
    started.push(worker);
    counter = await recordCounter(db, 'records');
    return await fn({ db, api, worker, counter });
  } finally {
    await counter?.close();
    for (const child of started.reverse()) await child.stop();
    await db.drop();
  }
}

// ---------------------------------------------------------------- fairness

/**
 * One tenant's burst, sent as fast as it is accepted; once a backlog has built up, another
 * tenant sends one webhook. Its latency (sent → processed, read from its receipt) is set against
 * the time the burst's backlog took to drain, which is what a first-in, first-out queue would
 * have made it wait.
 */
async function fairnessBench(redis) {
  const kind = (await databaseKinds()).includes('postgres') ? 'postgres' : 'sqlite';
  const db = kind === 'postgres' ? await postgresDatabase() : await sqliteDatabase();
  return withApiAndWorker(redis, db, 'fairness', async ({ api, counter }) => {
    const busy = await createTenant(db.url, 'Busy');
    const quiet = await createTenant(db.url, 'Quiet');
    const count0 = await counter.count();
    const start = performance.now();
    const burst = loadAsync(`${api.url}/webhooks/${busy.apiKey}`, BODIES.json, { connections: 64, amount: options.fairness });
    await sleep(3000);
    const sentAt = performance.now();
    const response = await fetch(`${api.url}/webhooks/${quiet.apiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODIES.json.body,
    });
    if (response.status !== 202) throw new Error(`the single webhook got ${response.status}: ${await response.text()}`);
    const { id } = await response.json();
    const doneBefore = (await counter.count()) - count0;
    let latencyMs;
    for (;;) {
      const receipt = await (await fetch(`${api.url}/webhooks/${quiet.apiKey}/receipts/${id}`)).json();
      if (receipt.status !== 'queued') {
        latencyMs = Math.round(performance.now() - sentAt);
        break;
      }
      if (performance.now() - sentAt > 600_000) throw new Error('the single webhook was not processed in 10 minutes');
      await sleep(10);
    }
    const sent = await burst;
    await counter.waitFor(count0 + sent.accepted + 1, 1_800_000);
    const drainedAt = performance.now();
    const row = {
      database: kind,
      burst: sent.accepted,
      processedBeforeSingle: doneBefore,
      singleLatencyMs: latencyMs,
      burstDrainAfterSingleSeconds: round((drainedAt - sentAt) / 1000, 1),
      burstSeconds: round((drainedAt - start) / 1000, 1),
    };
    console.log(
      `fairness ${kind}: single webhook processed in ${row.singleLatencyMs} ms while the burst's backlog took ${row.burstDrainAfterSingleSeconds} s more to drain`,
    );
    return row;
  });
}

// ---------------------------------------------------------------- processes

async function startServiceProcess(env) {
  const port = env.ROLE === 'worker' ? 0 : await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // The bench measures the service, not the limit: no key may be throttled.
      RATE_LIMIT_PER_MINUTE: process.env.BENCH_RL ?? '10000000',
      OPENAPI_UI: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const handle = track(child);
  if (env.ROLE === 'worker') {
    await waitForWorker(env.REDIS_URL, env.REDIS_PREFIX, child, () => stderr);
    return handle;
  }
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, child, () => stderr);
  return { ...handle, url };
}

async function startBaselineIngest(redisUrl, prefix = 'bench') {
  const port = await freePort();
  const child = fork(join(ROOT, 'bench/baseline-ingest.mjs'), { env: { PATH: process.env.PATH, PORT: String(port), REDIS_URL: redisUrl, REDIS_PREFIX: prefix } });
  await ready(child);
  return { ...track(child), url: `http://127.0.0.1:${port}` };
}

async function startBaselineWorker(redisUrl, databaseUrl, prefix) {
  const child = fork(join(ROOT, 'bench/baseline-worker.mjs'), {
    env: { PATH: process.env.PATH, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: String(options.concurrency) },
  });
  await ready(child);
  return track(child);
}

function track(child) {
  children.add(child);
  return {
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        children.delete(child);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        child.kill('SIGTERM');
      }),
  };
}

async function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}

function ready(child) {
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
  });
}

async function waitForHttp(url, child, stderr) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited: ${stderr()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`service did not become ready: ${stderr()}`);
}

/** A worker is ready once BullMQ lists one more worker on the queue. */
async function waitForWorker(redisUrl, prefix, child, stderr) {
  const queue = new Queue('webhooks', { connection: { host: '127.0.0.1', port: Number(new URL(redisUrl).port) }, prefix });
  const before = await queue.getWorkersCount();
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`worker exited: ${stderr()}`);
      if ((await queue.getWorkersCount()) > before) return;
      await sleep(100);
    }
    throw new Error(`worker did not start: ${stderr()}`);
  } finally {
    await queue.close();
  }
}

// ---------------------------------------------------------------- databases

async function sqliteDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-bench-'));
  const path = join(dir, 'hookflow.sqlite');
  return { kind: 'sqlite', url: `sqlite:${path}`, path, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgresDatabase() {
  const admin = options.postgresUrl;
  const name = `hookflow_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await withPg(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    drop: () => withPg(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function databaseKinds() {
  const kinds = options.databases.filter((kind) => kind !== 'postgres' || options.postgres);
  if (!kinds.includes('postgres')) return kinds;
  try {
    await withPg(options.postgresUrl, (client) => client.query('SELECT 1'));
    return kinds;
  } catch (error) {
    console.warn(`PostgreSQL at ${options.postgresUrl} is not reachable (${error.message}); leaving it out`);
    return kinds.filter((kind) => kind !== 'postgres');
  }
}

async function withPg(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Counts rows of a table while workers write it, until it reaches a number. */
async function recordCounter(db, table) {
  let count;
  let close;
  if (db.kind === 'sqlite') {
    let sqlite = null;
    count = async () => {
      try {
        sqlite ??= new Database(db.path, { readonly: true, fileMustExist: true });
        return sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n;
      } catch {
        return 0; // the table does not exist yet
      }
    };
    close = async () => sqlite?.close();
  } else {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    count = async () => {
      try {
        return Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
      } catch {
        return 0;
      }
    };
    close = () => client.end();
  }
  return {
    count,
    close,
    async waitFor(target, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = -1;
      let lastChange = Date.now();
      while (Date.now() < deadline) {
        const n = await count();
        if (n >= target) return;
        if (n !== last) (last = n), (lastChange = Date.now());
        else if (Date.now() - lastChange > 60_000) throw new Error(`${table}: stuck at ${n} of ${target}`);
        await sleep(50);
      }
      throw new Error(`${table}: ${last} of ${target} after ${timeoutMs} ms`);
    },
  };
}

async function createTenant(databaseUrl, name = 'Bench') {
  const env = { PATH: process.env.PATH, DATABASE_URL: databaseUrl };
  const cli = (args) => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/hookflow.js'), ...args, '--json'], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`hookflow ${args.join(' ')}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  };
  const tenant = cli(['tenant', 'create', name]);
  const key = cli(['apikey', 'create', '--tenant', tenant.id, '--name', 'bench']);
  return { tenantId: tenant.id, apiKey: key.key ?? key.apiKey };
}

// ---------------------------------------------------------------- measurements

async function flushQueues(redisUrl) {
  await flushAll(redisUrl);
}

async function flushAll(redisUrl) {
  const client = new Redis(redisUrl);
  await client.flushall();
  client.disconnect();
}

async function redisMemoryMb(redisUrl) {
  const client = new Redis(redisUrl);
  const info = await client.info('memory');
  client.disconnect();
  return round(Number(/used_memory:(\d+)/.exec(info)[1]) / 1048576, 1);
}

/** User + system CPU time the process has used, in ms (from /proc; clock ticks are 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The process's peak resident set (VmHWM), in MB. */
function peakRssMb(pid) {
  return procStatusMb(pid, 'VmHWM');
}

function rssMb(pid) {
  return procStatusMb(pid, 'VmRSS');
}

function procStatusMb(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) / 1024, 1);
  } catch {
    return null;
  }
}

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: round(totalmem() / 1073741824, 1),
    freeMemoryGb: round(freemem() / 1073741824, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

// ---------------------------------------------------------------- report

function report(result) {
  const lines = [`Machine: ${result.machine.cores} × ${result.machine.cpu}, ${result.machine.memoryGb} GB, Node ${result.machine.node}`, ''];
  if (result.ingest.rows?.length) {
    lines.push('| Body | Connections | Service req/s | p50 / p99 ms | Baseline req/s | p50 / p99 ms | Ratio |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const row of result.ingest.rows) {
      lines.push(
        `| ${row.body} | ${row.connections} | ${row.service.rps} | ${row.service.p50} / ${row.service.p99} | ${row.baseline.rps} | ${row.baseline.p50} / ${row.baseline.p99} | ${row.ratio} |`,
      );
    }
    lines.push('', `Peak RSS: service API ${result.ingest.peakRssMb.service} MB, baseline ${result.ingest.peakRssMb.baseline} MB`, '');
  }
  if (result.e2e.length) {
    lines.push('| Database | Workers | Webhooks | Service records/s | Baseline records/s | Ratio | 2 workers / 1 |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const row of result.e2e) {
      lines.push(
        `| ${row.database} | ${row.workers} | ${row.webhooks} | ${row.service.recordsPerSecond} | ${row.baseline.recordsPerSecond} | ${row.ratio} | ${row.scaling ?? ''} |`,
      );
    }
    const peaks = result.e2e.map((row) => `${row.database}/${row.workers}: API ${row.service.peakRssMb.api} MB, workers ${row.service.peakRssMb.workers.join(', ')} MB`);
    lines.push('', `Peak RSS (service): ${peaks.join('; ')}`, '');
  }
  if (result.fairness) {
    const row = result.fairness;
    lines.push(
      `Fairness (${row.database}): a second tenant's single webhook, sent into a backlog of a ${row.burst}-webhook burst, processed in ${row.singleLatencyMs} ms; the backlog took ${row.burstDrainAfterSingleSeconds} s more to drain.`,
      '',
    );
  }
  if (result.soak.length) {
    lines.push('| Webhooks | API RSS MB | Worker RSS MB | Redis MB (start → after) |', '|---:|---:|---:|---:|');
    for (const row of result.soak) lines.push(`| ${row.webhooks} | ${row.rssMb.api} | ${row.rssMb.worker} | ${row.redisMb.start} → ${row.redisMb.after} |`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- helpers

function parseArgs(argv) {
  const get = (name, fallback) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : fallback;
  };
  const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);
  return {
    only: new Set(list(get('only', 'ingest,forms,e2e'))),
    duration: Number(get('duration', 4)),
    rounds: Number(get('rounds', 3)),
    connections: list(get('connections', '1,16,64')).map(Number),
    e2e: Number(get('e2e', 20000)),
    // Jobs each worker process takes at once, the service's default, the same for the baseline.
    concurrency: Number(get('concurrency', 32)),
    soak: list(get('soak', '10000,100000')).map(Number),
    fairness: Number(get('fairness', 30000)),
    postgres: !argv.includes('--no-postgres'),
    databases: list(get('databases', 'sqlite,postgres')),
    postgresUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

/** The median of each field over the rounds. */
function medianOf(results) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return Object.fromEntries(Object.keys(results[0]).map((key) => [key, median(results.map((result) => result[key]))]));
}

function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
