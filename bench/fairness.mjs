// Fairness (`--only fairness`): how long a second tenant's single webhook waits behind a burst.
import { BODIES, createTenant, databaseKinds, loadAsync, postgresDatabase, round, sleep, sqliteDatabase, withApiAndWorker } from './shared.mjs';

/**
 * One tenant's burst, sent as fast as it is accepted; once a backlog has built up, another
 * tenant sends one webhook. Its latency (sent → processed, read from its receipt) is set against
 * the time the burst's backlog took to drain, which is what a first-in, first-out queue would
 * have made it wait.
 */
export async function run(redis, options) {
  const kind = (await databaseKinds(options)).includes('postgres') ? 'postgres' : 'sqlite';
  const db = kind === 'postgres' ? await postgresDatabase(options) : await sqliteDatabase();
  return withApiAndWorker(redis, db, 'fairness', options.concurrency, async ({ api, counter }) => {
    const busy = await createTenant(db.url, 'Busy');
    const quiet = await createTenant(db.url, 'Quiet');
    const count0 = await counter.count();
    const start = performance.now();
    const burst = loadAsync(`${api.url}/webhooks/${busy.apiKey}`, BODIES.json, { connections: 64, amount: options.fairness });
    await sleep(3000);
    const sentAt = performance.now();
    const id = await sendOne(`${api.url}/webhooks/${quiet.apiKey}`);
    const doneBefore = (await counter.count()) - count0;
    const latencyMs = await processedAfter(`${api.url}/webhooks/${quiet.apiKey}/receipts/${id}`, sentAt);
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

/** Sends the single webhook; answers its id. */
async function sendOne(url) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODIES.json.body });
  if (response.status !== 202) throw new Error(`the single webhook got ${response.status}: ${await response.text()}`);
  return (await response.json()).id;
}

/** Polls the receipt until the webhook is no longer queued; answers the ms since it was sent. */
async function processedAfter(receiptUrl, sentAt) {
  for (;;) {
    const receipt = await (await fetch(receiptUrl)).json();
    if (receipt.status !== 'queued') return Math.round(performance.now() - sentAt);
    if (performance.now() - sentAt > 600_000) throw new Error('the single webhook was not processed in 10 minutes');
    await sleep(10);
  }
}

/** The fairness sentence; nothing when the part did not run. */
export function report(row) {
  if (!row) return [];
  return [
    `Fairness (${row.database}): a second tenant's single webhook, sent into a backlog of a ${row.burst}-webhook burst, processed in ${row.singleLatencyMs} ms; the backlog took ${row.burstDrainAfterSingleSeconds} s more to drain.`,
    '',
  ];
}
