// What the benches share: the bodies and the load generator, the processes under test and the
// baselines, the databases and their record counters, and the measurements read from /proc.
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cliJson } from '../test/support/cli.mjs';
import { startServiceProcess, until } from '../test/support/processes.mjs';
import { freePort } from '../test/support/redis-server.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const children = new Set();
let bodyDir = null;

// ---------------------------------------------------------------- bodies and load

// The reference documentation's example webhook.
const REFERENCE = JSON.stringify({
  Contact: 'New user',
  Email: 'new_user@gmail.com',
  MobilePhone: '+1 617 221 5187',
  CountryId: 'f8af0e88-f36b-1410-fa98-00155d043204',
  EntityName: 'Lead',
});

export const BODIES = {
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

/** autocannon in its own process, so the load generator does not share the server's event loop. */
export function load(url, { contentType, body }, { connections, duration, amount }) {
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

/** Same as load(), without blocking this process's event loop (the counter polls meanwhile). */
export function loadAsync(url, { contentType, body }, { connections, amount }) {
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

/** The body goes in a file: a multipart body starts with "--", which autocannon would take for an option. */
function cannonArgs({ contentType, body }) {
  bodyDir ??= mkdtempSync(join(tmpdir(), 'hookflow-bench-bodies-'));
  const file = join(bodyDir, `${Buffer.from(contentType).toString('hex').slice(0, 40)}.body`);
  writeFileSync(file, body);
  return [AUTOCANNON, '-j', '-m', 'POST', '-H', `content-type=${contentType}`, '-i', file];
}

// ---------------------------------------------------------------- processes

/** The built service with the bench's settings; answers once it serves (API) or has joined the queue (worker). */
export async function startService(env) {
  const port = env.ROLE === 'worker' ? 0 : await freePort();
  const service = startServiceProcess(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // The bench measures the service, not the limit: no key may be throttled.
      RATE_LIMIT_PER_MINUTE: process.env.BENCH_RL ?? '10000000',
      OPENAPI_UI: 'false',
      ...env,
    },
    { keepStderr: true },
  );
  const handle = track(service.child);
  const exited = (what) => {
    if (service.child.exitCode !== null) throw new Error(`${what} exited: ${service.stderr()}`);
  };
  if (env.ROLE === 'worker') {
    await waitForWorker(
      env.REDIS_URL,
      env.REDIS_PREFIX,
      () => exited('worker'),
      () => `worker did not start: ${service.stderr()}`,
    );
    return handle;
  }
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      exited('service');
      return (await fetch(`${url}/health/ready`).catch(() => null))?.ok ?? false;
    },
    30_000,
    () => `service did not become ready: ${service.stderr()}`,
  );
  return { ...handle, url };
}

/** A worker is ready once BullMQ lists one more worker on the queue. */
async function waitForWorker(redisUrl, prefix, checkAlive, message) {
  const queue = new Queue('webhooks', { connection: { host: '127.0.0.1', port: Number(new URL(redisUrl).port) }, prefix });
  const before = await queue.getWorkersCount();
  try {
    await until(
      async () => {
        checkAlive();
        return (await queue.getWorkersCount()) > before;
      },
      30_000,
      message,
    );
  } finally {
    await queue.close();
  }
}

export async function startBaselineIngest(redisUrl, prefix = 'bench') {
  const port = await freePort();
  const child = fork(join(ROOT, 'bench/baseline-ingest.mjs'), {
    env: { PATH: process.env.PATH, PORT: String(port), REDIS_URL: redisUrl, REDIS_PREFIX: prefix },
  });
  await ready(child);
  return { ...track(child), url: `http://127.0.0.1:${port}` };
}

export async function startBaselineWorker(redisUrl, databaseUrl, prefix, concurrency) {
  const child = fork(join(ROOT, 'bench/baseline-worker.mjs'), {
    env: { PATH: process.env.PATH, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: String(concurrency) },
  });
  await ready(child);
  return track(child);
}

function ready(child) {
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
  });
}

/** Its pid and a stop that waits for the exit; kept until then, so stopAll() can kill whatever is left. */
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

/** Kills every process still running and removes the bodies' files: after the run, or after a failure. */
export function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (bodyDir) rmSync(bodyDir, { recursive: true, force: true });
  bodyDir = null;
}

/** An API and one worker on the database, with a counter of its records; all stopped after fn. */
export async function withApiAndWorker(redis, db, prefix, concurrency, fn) {
  await flushAll(redis.url);
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: prefix };
  const started = [];
  let counter;
  try {
    const api = await startService({ ...env, ROLE: 'api' });
    started.push(api);
    const worker = await startService({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: String(concurrency) });
    started.push(worker);
    counter = await recordCounter(db, 'records');
    return await fn({ db, api, worker, counter });
  } finally {
    await counter?.close();
    for (const child of started.reverse()) await child.stop();
    await db.drop();
  }
}

/** A tenant with one API key, made with the CLI as an operator would. */
export async function createTenant(databaseUrl, name = 'Bench') {
  const env = { DATABASE_URL: databaseUrl };
  const tenant = await cliJson(['tenant', 'create', name], env);
  const key = await cliJson(['apikey', 'create', '--tenant', tenant.id, '--name', 'bench'], env);
  return { tenantId: tenant.id, apiKey: key.key ?? key.apiKey };
}

// ---------------------------------------------------------------- databases

export async function sqliteDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-bench-'));
  const path = join(dir, 'hookflow.sqlite');
  return { kind: 'sqlite', url: `sqlite:${path}`, path, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresDatabase(options) {
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

/** The databases asked for, without PostgreSQL when its server does not answer. */
export async function databaseKinds(options) {
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
export async function recordCounter(db, table) {
  const { count, close } = db.kind === 'sqlite' ? sqliteCount(db.path, table) : await postgresCount(db.url, table);
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
        if (n !== last) {
          last = n;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > 60_000) throw new Error(`${table}: stuck at ${n} of ${target}`);
        await sleep(50);
      }
      throw new Error(`${table}: ${last} of ${target} after ${timeoutMs} ms`);
    },
  };
}

function sqliteCount(path, table) {
  let sqlite = null;
  return {
    count: async () => {
      try {
        sqlite ??= new Database(path, { readonly: true, fileMustExist: true });
        return sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n;
      } catch {
        return 0; // the table does not exist yet
      }
    },
    close: async () => sqlite?.close(),
  };
}

async function postgresCount(url, table) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    count: async () => {
      try {
        return Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
      } catch {
        return 0;
      }
    },
    close: () => client.end(),
  };
}

// ---------------------------------------------------------------- measurements

export async function flushAll(redisUrl) {
  const client = new Redis(redisUrl);
  await client.flushall();
  client.disconnect();
}

export async function redisMemoryMb(redisUrl) {
  const client = new Redis(redisUrl);
  const info = await client.info('memory');
  client.disconnect();
  return round(Number(/used_memory:(\d+)/.exec(info)[1]) / 1048576, 1);
}

/** User + system CPU time the process has used, in ms (from /proc; clock ticks are 10 ms). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The process's peak resident set (VmHWM), in MB. */
export function peakRssMb(pid) {
  return procStatusMb(pid, 'VmHWM');
}

export function rssMb(pid) {
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

export function machine() {
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

// ---------------------------------------------------------------- numbers

/** The median of each field over the rounds. */
export function medianOf(results) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return Object.fromEntries(Object.keys(results[0]).map((key) => [key, median(results.map((result) => result[key]))]));
}

export function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
