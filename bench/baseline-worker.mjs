// The ceiling behind the queue: a bare BullMQ worker that makes one INSERT per job with the
// same driver the service uses (better-sqlite3 or pg). Started by bench/shared.mjs (startBaselineWorker).
import Database from 'better-sqlite3';
import { Worker } from 'bullmq';
import pg from 'pg';

const url = process.env.DATABASE_URL;
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 8);
let insert;
if (url.startsWith('sqlite:')) {
  const db = new Database(url.slice('sqlite:'.length));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS baseline_records (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
  const statement = db.prepare('INSERT INTO baseline_records (id, data) VALUES (?, ?)');
  insert = async (id, data) => statement.run(id, data);
} else {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  await pool.query('CREATE TABLE IF NOT EXISTS baseline_records (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
  insert = (id, data) => pool.query('INSERT INTO baseline_records (id, data) VALUES ($1, $2)', [id, data]);
}

const worker = new Worker(
  process.env.QUEUE ?? 'baseline',
  async (job) => {
    await insert(job.data.id, JSON.stringify(job.data.payload));
  },
  {
    connection: { host: '127.0.0.1', port: Number(new URL(process.env.REDIS_URL).port), maxRetriesPerRequest: null },
    prefix: process.env.REDIS_PREFIX ?? 'bench',
    concurrency,
    removeOnComplete: { count: 0 },
  },
);
await worker.waitUntilReady();
process.send?.('ready');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
