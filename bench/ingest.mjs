// Ingest (`--only ingest` for JSON bodies, `--only forms` for urlencoded and multipart): requests/s,
// latency and CPU per request of the service's API against the bare Fastify baseline.
import { BODIES, cpuMs, createTenant, flushAll, load, medianOf, peakRssMb, round, sqliteDatabase, startBaselineIngest, startService } from './shared.mjs';

export async function run(redis, options) {
  const kinds = [...(options.only.has('ingest') ? ['json'] : []), ...(options.only.has('forms') ? ['urlencoded', 'multipart'] : [])];
  const db = await sqliteDatabase();
  const { apiKey } = await createTenant(db.url);
  const service = await startService({ ROLE: 'api', DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: 'svc' });
  const baseline = await startBaselineIngest(redis.url);
  const rows = [];
  try {
    for (const kind of kinds) {
      for (const connections of options.connections) {
        rows.push(await measurePoint({ redis, options, service, baseline, apiKey, kind, connections }));
      }
    }
    return { rows, peakRssMb: { service: peakRssMb(service.pid), baseline: peakRssMb(baseline.pid) } };
  } finally {
    await service.stop();
    await baseline.stop();
    await db.drop();
  }
}

/** One body at one number of connections, service and baseline, over the rounds. */
async function measurePoint({ redis, options, service, baseline, apiKey, kind, connections }) {
  const row = { body: kind, connections, rounds: [] };
  // Several rounds, alternating who goes first, and the median of each: the machine's speed
  // drifts from one minute to the next, and neither side should always meet a warmer one.
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? ['baseline', 'service'] : ['service', 'baseline'];
    const result = {};
    for (const who of order) {
      const target = who === 'service' ? service : baseline;
      await load(`${target.url}/webhooks/${apiKey}`, BODIES[kind], { connections, duration: 1 }); // warm-up
      await flushAll(redis.url);
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
  console.log(
    `ingest ${kind} c=${connections}: service ${row.service.rps} req/s p99 ${row.service.p99} ms ${row.service.cpuUsPerRequest} µs CPU/req; ` +
      `baseline ${row.baseline.rps} req/s p99 ${row.baseline.p99} ms ${row.baseline.cpuUsPerRequest} µs CPU/req; ratio ${row.ratio} (CPU ${row.cpuRatio})`,
  );
  return row;
}

/** The ingest table and the peak RSS; nothing when the part did not run. */
export function report(ingest) {
  if (!ingest.rows?.length) return [];
  const lines = ['| Body | Connections | Service req/s | p50 / p99 ms | Baseline req/s | p50 / p99 ms | Ratio |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const row of ingest.rows) {
    lines.push(
      `| ${row.body} | ${row.connections} | ${row.service.rps} | ${row.service.p50} / ${row.service.p99} | ${row.baseline.rps} | ${row.baseline.p50} / ${row.baseline.p99} | ${row.ratio} |`,
    );
  }
  lines.push('', `Peak RSS: service API ${ingest.peakRssMb.service} MB, baseline ${ingest.peakRssMb.baseline} MB`, '');
  return lines;
}
