// Soak (`--only soak`): the memory of one API and one worker after a short and a long run.
import { BODIES, createTenant, loadAsync, redisMemoryMb, round, rssMb, sqliteDatabase, withApiAndWorker } from './shared.mjs';

/** RSS after a short and a long run on the same processes: it must not grow with the count. */
export async function run(redis, options) {
  return withApiAndWorker(redis, await sqliteDatabase(), 'soak', options.concurrency, async ({ db, api, worker, counter }) => {
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

/** The soak table; nothing when the part did not run. */
export function report(soak) {
  if (!soak.length) return [];
  const lines = ['| Webhooks | API RSS MB | Worker RSS MB | Redis MB (start → after) |', '|---:|---:|---:|---:|'];
  for (const row of soak) lines.push(`| ${row.webhooks} | ${row.rssMb.api} | ${row.rssMb.worker} | ${row.redisMb.start} → ${row.redisMb.after} |`);
  lines.push('');
  return lines;
}
