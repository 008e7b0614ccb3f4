// End to end (`--only e2e`): N webhooks to N records, the service's API and workers against the
// bare Fastify server and bare BullMQ workers, per database, with 1 and 2 workers.
import {
  BODIES,
  createTenant,
  databaseKinds,
  flushAll,
  loadAsync,
  peakRssMb,
  postgresDatabase,
  recordCounter,
  redisMemoryMb,
  round,
  sqliteDatabase,
  startBaselineIngest,
  startBaselineWorker,
  startService,
} from './shared.mjs';

export async function run(redis, options) {
  const rows = [];
  for (const kind of await databaseKinds(options)) {
    for (const workers of [1, 2]) {
      const service = await endToEnd(redis, options, kind, workers, 'service');
      const baseline = await endToEnd(redis, options, kind, workers, 'baseline');
      const row = { database: kind, workers, webhooks: options.e2e, service, baseline, ratio: round(service.recordsPerSecond / baseline.recordsPerSecond, 2) };
      rows.push(row);
      console.log(`e2e ${kind} ${workers} worker(s): service ${service.recordsPerSecond} records/s, baseline ${baseline.recordsPerSecond}; ratio ${row.ratio}`);
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
async function endToEnd(redis, options, kind, workerCount, who) {
  await flushAll(redis.url);
  const db = kind === 'sqlite' ? await sqliteDatabase() : await postgresDatabase(options);
  const prefix = `${who}${workerCount}`;
  const started = { api: null, workers: [] };
  try {
    const { url, counter } = await (who === 'service' ? startServiceSide : startBaselineSide)(redis, options, db, prefix, workerCount, started);
    const count0 = await counter.count();
    const redisBefore = await redisMemoryMb(redis.url);
    const start = performance.now();
    const sent = await loadAsync(url, BODIES.json, { connections: 64, amount: options.e2e });
    const sentMs = performance.now() - start;
    await counter.waitFor(count0 + sent.accepted, 600_000);
    const elapsedMs = performance.now() - start;
    await counter.close();
    return {
      accepted: sent.accepted,
      sendSeconds: round(sentMs / 1000, 1),
      seconds: round(elapsedMs / 1000, 1),
      recordsPerSecond: Math.round(sent.accepted / (elapsedMs / 1000)),
      peakRssMb: { api: peakRssMb(started.api.pid), workers: started.workers.map((worker) => peakRssMb(worker.pid)) },
      redisMb: { before: redisBefore, after: await redisMemoryMb(redis.url) },
    };
  } finally {
    for (const worker of started.workers) await worker.stop();
    await started.api?.stop();
    await db.drop();
  }
}

/** The service's API and workers; each is put in `started` as soon as it runs, so it is stopped whatever happens. */
async function startServiceSide(redis, options, db, prefix, workerCount, started) {
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: prefix };
  const { apiKey } = await createTenant(db.url);
  started.api = await startService({ ...env, ROLE: 'api' });
  for (let i = 0; i < workerCount; i++) {
    started.workers.push(await startService({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: String(options.concurrency) }));
  }
  return { url: `${started.api.url}/webhooks/${apiKey}`, counter: await recordCounter(db, 'records') };
}

async function startBaselineSide(redis, options, db, prefix, workerCount, started) {
  started.api = await startBaselineIngest(redis.url, prefix);
  for (let i = 0; i < workerCount; i++) started.workers.push(await startBaselineWorker(redis.url, db.url, prefix, options.concurrency));
  return { url: `${started.api.url}/webhooks/baseline`, counter: await recordCounter(db, 'baseline_records') };
}

/** The end-to-end table and the service's peak RSS; nothing when the part did not run. */
export function report(e2e) {
  if (!e2e.length) return [];
  const lines = ['| Database | Workers | Webhooks | Service records/s | Baseline records/s | Ratio | 2 workers / 1 |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const row of e2e) {
    lines.push(
      `| ${row.database} | ${row.workers} | ${row.webhooks} | ${row.service.recordsPerSecond} | ${row.baseline.recordsPerSecond} | ${row.ratio} | ${row.scaling ?? ''} |`,
    );
  }
  const peaks = e2e.map((row) => `${row.database}/${row.workers}: API ${row.service.peakRssMb.api} MB, workers ${row.service.peakRssMb.workers.join(', ')} MB`);
  lines.push('', `Peak RSS (service): ${peaks.join('; ')}`, '');
  return lines;
}
