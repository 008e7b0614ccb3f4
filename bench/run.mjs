// `npm run bench`: the service side by side with bare baselines, in one run on one machine.
// Prints tables and writes bench/results/<time>.json. See docs/performance.md.
// Each part is a module of its own (ingest.mjs, e2e.mjs, soak.mjs, fairness.mjs, instances.mjs) with what they
// share in shared.mjs; this file picks the parts, runs them on one private redis-server and reports.
//
//   node bench/run.mjs [--only ingest,forms,e2e,soak,fairness,instances] [--duration 4] [--rounds 3] [--connections 1,16,64]
//                      [--e2e 20000] [--concurrency 32] [--soak 10000,100000] [--fairness 30000] [--databases sqlite,postgres] [--no-postgres]
//                      [--waiting 100000] [--timers 10000] [--orders 100] [--items 100]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis } from '../test/support/redis-server.mjs';
import * as e2e from './e2e.mjs';
import * as fairness from './fairness.mjs';
import * as ingest from './ingest.mjs';
import * as instances from './instances.mjs';
import { ROOT, machine, stopAll } from './shared.mjs';
import * as soak from './soak.mjs';

// In the order they run; `only` lists the `--only` names that select each.
const PARTS = [
  { key: 'ingest', only: ['ingest', 'forms'], bench: ingest },
  { key: 'e2e', only: ['e2e'], bench: e2e },
  { key: 'soak', only: ['soak'], bench: soak },
  { key: 'fairness', only: ['fairness'], bench: fairness },
  { key: 'instances', only: ['instances'], bench: instances },
];
// The report's order: the tables of throughput first, then the sentence and the memory table.
const REPORT_ORDER = ['ingest', 'e2e', 'fairness', 'soak', 'instances'];

const options = parseArgs(process.argv.slice(2));

main().catch(async (error) => {
  console.error(error);
  stopAll();
  process.exit(1);
});

async function main() {
  const started = new Date();
  const redis = await startRedis();
  const result = { startedAt: started.toISOString(), machine: machine(), options, ingest: [], e2e: [], soak: [], fairness: null, instances: [] };
  try {
    for (const part of PARTS) {
      if (part.only.some((name) => options.only.has(name))) result[part.key] = await part.bench.run(redis, options);
    }
  } finally {
    stopAll();
    await redis.stop();
  }
  result.finishedAt = new Date().toISOString();
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\n${report(result)}\nResults: ${file}`);
}

function report(result) {
  const benches = Object.fromEntries(PARTS.map((part) => [part.key, part.bench]));
  const lines = [`Machine: ${result.machine.cores} × ${result.machine.cpu}, ${result.machine.memoryGb} GB, Node ${result.machine.node}`, ''];
  for (const key of REPORT_ORDER) lines.push(...benches[key].report(result[key]));
  return lines.join('\n');
}

function parseArgs(argv) {
  const get = (name, fallback) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : fallback;
  };
  const list = (value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
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
    // Process instances: waiting at a wait-for-webhook step, timers due in one second, a for-each's orders × line items.
    waiting: Number(get('waiting', 100000)),
    timers: Number(get('timers', 10000)),
    orders: Number(get('orders', 100)),
    items: Number(get('items', 100)),
    postgres: !argv.includes('--no-postgres'),
    databases: list(get('databases', 'sqlite,postgres')),
    postgresUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}
