import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Role = 'all' | 'api' | 'worker';

export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

export interface RedisNode {
  host: string;
  port: number;
}

/** A module of STEP_TYPE_MODULES, loaded at start for the step types it registers. */
export interface StepTypeModuleSpec {
  /** As written in STEP_TYPE_MODULES, for messages. */
  name: string;
  /** What import() is given: the package name, or the file URL of a path. */
  specifier: string;
  /** The absolute file of a path (resolved against the working directory); null for a package. */
  file: string | null;
}

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; poolMax?: number };

export interface AppConfig {
  role: Role;
  host: string;
  port: number;
  publicBaseUrl: string;
  redisUrl: string;
  /** One Redis; with redisClusterNodes, only its user, password and TLS are used (for every node). */
  redis: RedisConnection;
  /** A Redis Cluster's nodes to start from (REDIS_CLUSTER_NODES); null: the one Redis of REDIS_URL. */
  redisClusterNodes: RedisNode[] | null;
  /** Namespace of every Redis key, so several installations (or test runs) can share one Redis. */
  redisPrefix: string;
  /** The BullMQ queue that API processes fill and workers drain; both sides must agree on it. */
  queueName: string;
  database: DatabaseConfig;
  processesDir: string;
  /** Modules of step types beside the built-in ones (STEP_TYPE_MODULES), in the order given. */
  stepTypeModules: StepTypeModuleSpec[];
  maxBodyBytes: number;
  workerConcurrency: number;
  /** The most items one for-each step goes through; more fails the run with the reason. */
  forEachMaxItems: number;
  /** The longest a wait step waits, and a wait-for-webhook without a timeout (WAIT_MAX_DAYS). */
  waitMaxDays: number;
  /** How often a worker looks in the database for waiting instances whose timer Redis lost. */
  timerSweepMs: number;
  /** How deep call-process steps may nest (a process calling itself stops there). */
  callProcessMaxDepth: number;
  recordTriggerMaxDepth: number;
  waitingInstancesPerTenant: number;
  /** How often a worker brings the schedules of every tenant's processes in line with the database. */
  scheduleSyncMs: number;
  /** How long a worker holds a job before others may take it over (a crashed worker's jobs resume after it). */
  workerLockMs: number;
  /** How long SQLite waits for a lock held by another process before the write fails (and is retried). */
  sqliteBusyTimeoutMs: number;
  /** Attempts of a job when JOB_ATTEMPTS is set; null: as many as fit in jobRetryWindowSeconds. */
  jobAttempts: number | null;
  /** Delay after the first failed attempt; it doubles with each attempt, up to jobBackoffMaxMs. */
  jobBackoffMs: number;
  jobBackoffMaxMs: number;
  /** How long a failing job is retried before its webhook is left failed (for a replay). */
  jobRetryWindowSeconds: number;
  /** How long a resolved API key is trusted without asking the database again (revocation delay). */
  apiKeyCacheMs: number;
  shutdownTimeoutMs: number;
  /** How long a worker trusts its copy of a tenant's processes (the delay of a change made elsewhere). */
  processCacheMs: number;
  /** Let http-request steps reach loopback, link-local and private addresses (off: they are refused). */
  httpAllowPrivateNetworks: boolean;
  /**
   * The only environment variables a process definition may reference (`{"env": …}`): those whose
   * name starts with this prefix. Null: definitions may reference none (tenant secrets only).
   */
  processEnvPrefix: string | null;
  /** How often a worker writes the parameter names it has seen per API key (schema drift). */
  driftFlushMs: number;
  /** After a key rotation, how long the old key keeps working. */
  apiKeyGraceSeconds: number;
  /** Lifetime of admin API access tokens. */
  tokenTtlSeconds: number;
  /** Signs admin API tokens; when unset, a random key is made once and kept in the database. */
  tokenSigningKey: string | null;
  /** Encrypts signature secrets (32 bytes, base64url); when unset, made once and kept in the database. */
  secretsKey: string | null;
  /** A platform client created at start if it does not exist (bootstrap of the admin API). */
  adminClient: { id: string; secret: string } | null;
  /** Serve Swagger UI at /docs (the OpenAPI document at /docs-json is always served). */
  openApiUi: boolean;
  /** Serve the operators' queue dashboard (Bull Board) at /queues, behind platform client credentials. */
  queueDashboard: boolean;
  /** How long a sender's delivery id (webhook-id, Idempotency-Key…) is remembered against repeats. */
  idempotencyWindowSeconds: number;
  /** Webhooks one API key may send per minute, across all API processes (0: no limit). */
  rateLimitPerMinute: number;
  /** Days webhook payloads and run traces are kept, per webhook status. */
  retentionDays: Record<'processed' | 'received' | 'failed', number>;
  /** Port of /metrics in a worker-only process (0: none); the API serves it on its own port. */
  metricsPort: number;
  /** A static bearer token Prometheus may scrape /metrics with, besides a platform access token. */
  metricsToken: string | null;
  /** json: one JSON object per line (for log collectors); text: for people. */
  logFormat: 'json' | 'text';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** How long a web console sign-in lasts. */
  consoleSessionTtlSeconds: number;
  /** Failed console sign-ins per email within the window before more are refused (4× that per address). */
  consoleSignInLimit: number;
  consoleSignInWindowSeconds: number;
}

/** Thrown for a wrong environment variable; the message names the variable and the problem. */
export class ConfigError extends Error {}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = parseRedisUrl(redisUrl);
  const redisClusterNodes = clusterNodes(env, redis);
  return {
    role: oneOf(env, 'ROLE', ['all', 'api', 'worker'] as const, 'all'),
    host: env.HOST || '0.0.0.0',
    port,
    publicBaseUrl: baseUrl(env, port),
    redisUrl,
    redis,
    redisClusterNodes,
    redisPrefix: redisPrefix(env, redisClusterNodes !== null),
    queueName: identifier(env, 'QUEUE_NAME', 'webhooks'),
    database: withPool(parseDatabaseUrl(env.DATABASE_URL || 'sqlite:./data/hookflow.sqlite'), env),
    processesDir: resolve(env.PROCESSES_DIR || resolve(PACKAGE_ROOT, 'processes')),
    stepTypeModules: stepTypeModules(env),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 32, 1, 256),
    forEachMaxItems: integer(env, 'FOR_EACH_MAX_ITEMS', 1000, 1, 100_000),
    waitMaxDays: integer(env, 'WAIT_MAX_DAYS', 366, 1, 3660),
    timerSweepMs: integer(env, 'TIMER_SWEEP_MS', 15_000, 100, 3_600_000),
    callProcessMaxDepth: integer(env, 'CALL_PROCESS_MAX_DEPTH', 5, 1, 50),
    recordTriggerMaxDepth: integer(env, 'RECORD_TRIGGER_MAX_DEPTH', 5, 1, 50),
    waitingInstancesPerTenant: integer(env, 'WAITING_INSTANCES_PER_TENANT', 100_000, 1, 100_000_000),
    scheduleSyncMs: integer(env, 'SCHEDULE_SYNC_MS', 300_000, 1000, 86_400_000),
    workerLockMs: integer(env, 'WORKER_LOCK_MS', 30_000, 1000, 600_000),
    sqliteBusyTimeoutMs: integer(env, 'SQLITE_BUSY_TIMEOUT_MS', 10_000, 0, 600_000),
    ...retries(env),
    apiKeyCacheMs: integer(env, 'API_KEY_CACHE_MS', 2000, 0, 60_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    processCacheMs: integer(env, 'PROCESS_CACHE_MS', 1000, 0, 60_000),
    httpAllowPrivateNetworks: flag(env, 'HTTP_ALLOW_PRIVATE_NETWORKS', false),
    processEnvPrefix: processEnvPrefix(env),
    driftFlushMs: integer(env, 'DRIFT_FLUSH_MS', 10_000, 10, 3_600_000),
    apiKeyGraceSeconds: integer(env, 'API_KEY_GRACE_SECONDS', 86_400, 0, 30 * 86_400),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 1, 86_400),
    tokenSigningKey: secret(env, 'TOKEN_SIGNING_KEY', 32),
    secretsKey: secret(env, 'SECRETS_KEY', 43),
    adminClient: adminClient(env),
    openApiUi: flag(env, 'OPENAPI_UI', true),
    queueDashboard: flag(env, 'QUEUE_DASHBOARD', true),
    idempotencyWindowSeconds: integer(env, 'IDEMPOTENCY_WINDOW_SECONDS', 86_400, 1, 30 * 86_400),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    retentionDays: retention(env),
    metricsPort: metricsPort(env),
    metricsToken: secret(env, 'METRICS_TOKEN', 16),
    // JSON unless a person is watching the terminal.
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'text'] as const, process.stdout.isTTY ? 'text' : 'json'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
    consoleSessionTtlSeconds: integer(env, 'CONSOLE_SESSION_TTL_SECONDS', 8 * 3600, 1, 30 * 86_400),
    consoleSignInLimit: integer(env, 'CONSOLE_SIGN_IN_LIMIT', 5, 1, 1000),
    consoleSignInWindowSeconds: integer(env, 'CONSOLE_SIGN_IN_WINDOW_SECONDS', 900, 1, 86_400),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}: "${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name}: ${value} is outside ${min}..${max}`);
  return value;
}

function secret(env: NodeJS.ProcessEnv, name: string, minLength: number): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.length < minLength) throw new ConfigError(`${name}: must be at least ${minLength} characters`);
  return raw;
}

function adminClient(env: NodeJS.ProcessEnv): { id: string; secret: string } | null {
  const id = env.ADMIN_CLIENT_ID;
  const value = env.ADMIN_CLIENT_SECRET;
  if (!id && !value) return null;
  if (!id || !value) throw new ConfigError('ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET: set both or neither');
  if (!/^[A-Za-z0-9_.-]{3,100}$/.test(id)) throw new ConfigError('ADMIN_CLIENT_ID: 3-100 letters, digits, ".", "_" or "-"');
  if (value.length < 16) throw new ConfigError('ADMIN_CLIENT_SECRET: must be at least 16 characters');
  return { id, secret: value };
}

/** PostgreSQL connections per process: a worker uses up to WORKER_CONCURRENCY at once. */
function withPool(database: DatabaseConfig, env: NodeJS.ProcessEnv): DatabaseConfig {
  const poolMax = integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000);
  return database.type === 'postgres' ? { ...database, poolMax } : database;
}

function metricsPort(env: NodeJS.ProcessEnv): number {
  const port = integer(env, 'METRICS_PORT', 0, 0, 65535);
  if (port > 0 && !env.METRICS_TOKEN) throw new ConfigError('METRICS_PORT: set METRICS_TOKEN too; metrics are not served without a token');
  return port;
}

/** Capped exponential backoff over a window: a CRM down for an hour must not leave webhooks failed. */
function retries(env: NodeJS.ProcessEnv): Pick<AppConfig, 'jobAttempts' | 'jobBackoffMs' | 'jobBackoffMaxMs' | 'jobRetryWindowSeconds'> {
  const jobBackoffMs = integer(env, 'JOB_BACKOFF_MS', 1000, 1, 3_600_000);
  const jobBackoffMaxMs = integer(env, 'JOB_BACKOFF_MAX_MS', Math.max(3_600_000, jobBackoffMs), 1, 86_400_000);
  if (jobBackoffMaxMs < jobBackoffMs) throw new ConfigError(`JOB_BACKOFF_MAX_MS: ${jobBackoffMaxMs} is below JOB_BACKOFF_MS (${jobBackoffMs})`);
  const jobRetryWindowSeconds = integer(env, 'JOB_RETRY_WINDOW_SECONDS', 86_400, 0, 30 * 86_400);
  const raw = env.JOB_ATTEMPTS;
  const jobAttempts = raw === undefined || raw === '' ? null : integer(env, 'JOB_ATTEMPTS', 5, 1, 100);
  // Every attempt is a job run and a log write: a tiny cap over a long window would be millions.
  if (jobAttempts === null && (jobRetryWindowSeconds * 1000) / jobBackoffMaxMs > 10_000) {
    throw new ConfigError(
      `JOB_RETRY_WINDOW_SECONDS: ${jobRetryWindowSeconds} s at most ${jobBackoffMaxMs} ms apart is over 10000 attempts; raise JOB_BACKOFF_MAX_MS`,
    );
  }
  return { jobAttempts, jobBackoffMs, jobBackoffMaxMs, jobRetryWindowSeconds };
}

function retention(env: NodeJS.ProcessEnv): Record<'processed' | 'received' | 'failed', number> {
  const all = integer(env, 'RETENTION_DAYS', 90, 1, 36_500);
  return {
    processed: integer(env, 'RETENTION_DAYS_PROCESSED', all, 1, 36_500),
    received: integer(env, 'RETENTION_DAYS_RECEIVED', all, 1, 36_500),
    failed: integer(env, 'RETENTION_DAYS_FAILED', all, 1, 36_500),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}: "${raw}" must be true or false`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}: "${raw}" is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function identifier(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Braces make a Redis Cluster hash tag: every key of the queue then lives on one shard.
  if (!/^(\{[A-Za-z0-9_-]{1,62}\}|[A-Za-z0-9_-]{1,64})$/.test(raw)) {
    throw new ConfigError(`${name}: "${raw}" must be 1-64 letters, digits, "_" or "-", or such a name in braces (a Redis Cluster hash tag)`);
  }
  return raw;
}

/**
 * The prefix carries the hash tag in a cluster: BullMQ's scripts touch several keys of a queue at
 * once, which a cluster allows only within one slot. A prefix without braces is refused rather
 * than wrapped, so that key names are always the ones written (ACL key patterns, dashboards and
 * the other processes of the installation name them).
 */
function redisPrefix(env: NodeJS.ProcessEnv, cluster: boolean): string {
  const prefix = identifier(env, 'REDIS_PREFIX', cluster ? '{hookflow}' : 'hookflow');
  if (cluster && !prefix.startsWith('{')) {
    throw new ConfigError(
      `REDIS_PREFIX: "${prefix}" must be in braces with REDIS_CLUSTER_NODES, e.g. {${prefix}}: a queue's keys must share one hash tag to be in one cluster slot`,
    );
  }
  return prefix;
}

/** REDIS_CLUSTER_NODES: host:port,host:port… (IPv6 in brackets); the rest of the cluster is found from them. */
function clusterNodes(env: NodeJS.ProcessEnv, redis: RedisConnection): RedisNode[] | null {
  const raw = env.REDIS_CLUSTER_NODES ?? '';
  if (raw.trim() === '') return null;
  const nodes: RedisNode[] = [];
  for (const entry of raw.split(',').map((one) => one.trim())) {
    if (entry === '') throw new ConfigError(`REDIS_CLUSTER_NODES: "${raw}" has an empty entry; separate nodes with single commas`);
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(`REDIS_CLUSTER_NODES: "${entry}" is not host:port (e.g. 10.0.0.1:6379, or [::1]:6379)`);
    }
    const host = match[1].replace(/^\[(.*)\]$/, '$1');
    if (nodes.some((node) => node.host === host && node.port === port)) throw new ConfigError(`REDIS_CLUSTER_NODES: "${entry}" is listed twice`);
    nodes.push({ host, port });
  }
  if (redis.db !== 0) {
    throw new ConfigError(`REDIS_URL: database ${redis.db} cannot be used with REDIS_CLUSTER_NODES; a Redis Cluster has only database 0`);
  }
  return nodes;
}

/** A package name as npm allows it (a scope, a name, then a path inside the package), or a path. */
const PACKAGE_NAME = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(\/[\w.~@-]+)*$/i;
const PATH = /^(\.{1,2}\/|\/)/;

function stepTypeModules(env: NodeJS.ProcessEnv): StepTypeModuleSpec[] {
  const raw = env.STEP_TYPE_MODULES ?? '';
  if (raw.trim() === '') return [];
  const names = raw.split(',').map((name) => name.trim());
  const modules: StepTypeModuleSpec[] = [];
  for (const name of names) {
    if (name === '') throw new ConfigError(`STEP_TYPE_MODULES: "${raw}" has an empty entry; separate modules with single commas`);
    if (modules.some((module) => module.name === name)) throw new ConfigError(`STEP_TYPE_MODULES: "${name}" is listed twice`);
    if (PATH.test(name)) {
      const file = resolve(name);
      modules.push({ name, specifier: pathToFileURL(file).href, file });
    } else if (PACKAGE_NAME.test(name)) {
      modules.push({ name, specifier: name, file: null });
    } else {
      throw new ConfigError(`STEP_TYPE_MODULES: "${name}" is neither a package name nor a path (./…, ../… or /…)`);
    }
  }
  return modules;
}

function processEnvPrefix(env: NodeJS.ProcessEnv): string | null {
  const raw = env.PROCESS_ENV_PREFIX;
  if (raw === undefined) return 'HOOKFLOW_PROCESS_';
  if (raw === '') return null;
  // A short or empty prefix would hand process authors the platform's own variables again.
  if (!/^[A-Z][A-Z0-9]*_[A-Z0-9_]*$/.test(raw) || raw.length < 4) {
    throw new ConfigError(
      `PROCESS_ENV_PREFIX: "${raw}" must be at least 4 upper-case letters, digits or "_", with a "_" (e.g. HOOKFLOW_PROCESS_), or empty to allow no variables`,
    );
  }
  return raw;
}

function baseUrl(env: NodeJS.ProcessEnv, port: number): string {
  const raw = env.PUBLIC_BASE_URL;
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_BASE_URL: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_BASE_URL: "${raw}" must start with http:// or https://`);
  }
  return raw.replace(/\/+$/, '');
}

export function parseRedisUrl(raw: string): RedisConnection {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`REDIS_URL: "${raw}" is not a URL (expected redis://host:port/db)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL: "${raw}" must start with redis:// or rediss://`);
  }
  const db = url.pathname.replace(/^\//, '') || '0';
  if (!/^\d+$/.test(db)) throw new ConfigError(`REDIS_URL: database "${db}" is not a number`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(db),
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
}

export function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL: "sqlite:" needs a file path, e.g. sqlite:./data/hookflow.sqlite');
    return { type: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL: the postgres:// URL cannot be parsed');
    }
    return { type: 'postgres', url: raw };
  }
  throw new ConfigError(`DATABASE_URL: must start with sqlite: or postgres:// (got "${raw.split(':')[0]}:")`);
}

/** Redacts credentials so a URL can be shown in messages and logs. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}
