import { describe, expect, it } from '@jest/globals';
import { isAbsolute, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, redactUrl } from './config.js';

/** The ConfigError loadConfig throws for an environment; fails the test when it loads. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.role).toBe('all');
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.redis).toEqual({
      host: '127.0.0.1',
      port: 6379,
      username: undefined,
      password: undefined,
      db: 0,
      tls: undefined,
    });
    expect(config.redisPrefix).toBe('hookflow');
    expect(config.queueName).toBe('webhooks');
    expect(config.maxBodyBytes).toBe(1024 * 1024);
    expect(config.database.type).toBe('sqlite');
    const path = (config.database as { path: string }).path;
    expect(isAbsolute(path)).toBe(true);
    expect(path.endsWith(`${sep}data${sep}hookflow.sqlite`)).toBe(true);
    expect(config.processesDir.endsWith(`${sep}processes`)).toBe(true);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', ROLE: '', REDIS_URL: '', PUBLIC_BASE_URL: '', REDIS_PREFIX: '', DATABASE_URL: '' });
    expect(config.port).toBe(3000);
    expect(config.role).toBe('all');
    expect(config.redis.port).toBe(6379);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.redisPrefix).toBe('hookflow');
    expect(config.database.type).toBe('sqlite');
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [{ ROLE: 'x' }, 'ROLE: "x" is not one of all, api, worker'],
    [{ ROLE: 'API' }, 'ROLE: "API" is not one of all, api, worker'],
    [{ PORT: 'abc' }, 'PORT: "abc" is not a whole number'],
    [{ PORT: '-1' }, 'PORT: "-1" is not a whole number'],
    [{ PORT: '80.5' }, 'PORT: "80.5" is not a whole number'],
    [{ PORT: '70000' }, 'PORT: 70000 is outside 0..65535'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL: "http://x" must start with redis:// or rediss://'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL: "not a url" is not a URL (expected redis://host:port/db)'],
    [{ REDIS_URL: 'redis://localhost:6379/cache' }, 'REDIS_URL: database "cache" is not a number'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: must start with sqlite: or postgres:// (got "mysql:")'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL: "sqlite:" needs a file path, e.g. sqlite:./data/hookflow.sqlite'],
    [{ PUBLIC_BASE_URL: 'ftp://x' }, 'PUBLIC_BASE_URL: "ftp://x" must start with http:// or https://'],
    [{ PUBLIC_BASE_URL: 'hooks.example.com' }, 'PUBLIC_BASE_URL: "hooks.example.com" is not a URL'],
    [{ MAX_BODY_BYTES: '1' }, 'MAX_BODY_BYTES: 1 is outside 1024..67108864'],
    [{ MAX_BODY_BYTES: '1mb' }, 'MAX_BODY_BYTES: "1mb" is not a whole number'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY: 0 is outside 1..256'],
    [{ JOB_ATTEMPTS: '101' }, 'JOB_ATTEMPTS: 101 is outside 1..100'],
    [{ REDIS_PREFIX: 'a b' }, 'REDIS_PREFIX: "a b" must be 1-64 letters, digits, "_" or "-", or such a name in braces (a Redis Cluster hash tag)'],
    [{ REDIS_PREFIX: 'a:b' }, 'REDIS_PREFIX: "a:b" must be 1-64 letters, digits, "_" or "-", or such a name in braces (a Redis Cluster hash tag)'],
    [{ REDIS_PREFIX: '{a}b' }, 'REDIS_PREFIX: "{a}b" must be 1-64 letters, digits, "_" or "-", or such a name in braces (a Redis Cluster hash tag)'],
    [
      { REDIS_PREFIX: 'x'.repeat(65) },
      `REDIS_PREFIX: "${'x'.repeat(65)}" must be 1-64 letters, digits, "_" or "-", or such a name in braces (a Redis Cluster hash tag)`,
    ],
    [{ QUEUE_NAME: 'eu:webhooks' }, 'QUEUE_NAME: "eu:webhooks" must be 1-64 letters, digits, "_" or "-", or such a name in braces (a Redis Cluster hash tag)'],
    [{ METRICS_PORT: '9464' }, 'METRICS_PORT: set METRICS_TOKEN too; metrics are not served without a token'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN: must be at least 16 characters'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT: "xml" is not one of json, text'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL: "verbose" is not one of error, warn, info, debug'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX: 0 is outside 1..1000'],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, 'REDIS_CLUSTER_NODES: "10.0.0.1" is not host:port (e.g. 10.0.0.1:6379, or [::1]:6379)'],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:0' }, 'REDIS_CLUSTER_NODES: "10.0.0.1:0" is not host:port (e.g. 10.0.0.1:6379, or [::1]:6379)'],
    [{ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:6379' }, 'REDIS_CLUSTER_NODES: "redis://10.0.0.1:6379" is not host:port (e.g. 10.0.0.1:6379, or [::1]:6379)'],
    [{ REDIS_CLUSTER_NODES: 'a:7000,,b:7000' }, 'REDIS_CLUSTER_NODES: "a:7000,,b:7000" has an empty entry; separate nodes with single commas'],
    [{ REDIS_CLUSTER_NODES: 'a:7000, a:7000' }, 'REDIS_CLUSTER_NODES: "a:7000" is listed twice'],
    [
      { REDIS_URL: 'redis://:secret@a:7000/2', REDIS_CLUSTER_NODES: 'a:7000' },
      'REDIS_URL: database 2 cannot be used with REDIS_CLUSTER_NODES; a Redis Cluster has only database 0',
    ],
    [
      { REDIS_PREFIX: 'hookflow', REDIS_CLUSTER_NODES: 'a:7000' },
      'REDIS_PREFIX: "hookflow" must be in braces with REDIS_CLUSTER_NODES, e.g. {hookflow}: a queue\'s keys must share one hash tag to be in one cluster slot',
    ],
  ])('refuses %j', (env, message) => {
    const error = configError(env);
    expect(error.message).toBe(message);
    // The message starts with the variable, so an operator knows what to fix.
    expect(error.message.startsWith(`${Object.keys(env)[0]}: `)).toBe(true);
  });

  it.each<[string, number]>([
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
  ])('accepts PORT=%s', (port, expected) => {
    expect(loadConfig({ PORT: port }).port).toBe(expected);
  });

  it.each([['all'], ['api'], ['worker']] as const)('accepts ROLE=%s', (role) => {
    expect(loadConfig({ ROLE: role }).role).toBe(role);
  });

  it('parses user, password, host, port and db of REDIS_URL', () => {
    const config = loadConfig({ REDIS_URL: 'redis://hook%40flow:p%3Ass%2Fw0rd@redis.internal:6380/3' });
    expect(config.redisUrl).toBe('redis://hook%40flow:p%3Ass%2Fw0rd@redis.internal:6380/3');
    expect(config.redis).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'hook@flow',
      password: 'p:ss/w0rd',
      db: 3,
      tls: undefined,
    });
  });

  it('takes a password without a user name', () => {
    expect(loadConfig({ REDIS_URL: 'redis://:secret@localhost' }).redis).toMatchObject({
      host: 'localhost',
      port: 6379,
      username: undefined,
      password: 'secret',
      db: 0,
    });
  });

  it('switches TLS on for rediss://', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://cache.example.com:6390/1' });
    expect(config.redis.tls).toEqual({});
    expect(config.redis).toMatchObject({ host: 'cache.example.com', port: 6390, db: 1 });
    expect(loadConfig({ REDIS_URL: 'redis://cache.example.com' }).redis.tls).toBeUndefined();
  });

  it('has no cluster unless REDIS_CLUSTER_NODES is set', () => {
    expect(loadConfig({}).redisClusterNodes).toBeNull();
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' ' }).redisClusterNodes).toBeNull();
  });

  it('takes the nodes of REDIS_CLUSTER_NODES, the credentials and TLS of REDIS_URL, and {hookflow} as the default prefix', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001,[::1]:7002', REDIS_URL: 'rediss://hook:s%40cret@ignored:6379' });
    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config.redis).toMatchObject({ username: 'hook', password: 's@cret', tls: {}, db: 0 });
    expect(config.redisPrefix).toBe('{hookflow}');
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_PREFIX: '{eu}' }).redisPrefix).toBe('{eu}');
  });

  // URL.hostname keeps the brackets of an IPv6 literal; a socket needs the bare address.
  it('gives the bare address of an IPv6 REDIS_URL host', () => {
    expect(loadConfig({ REDIS_URL: 'redis://[::1]:6380/2' }).redis).toMatchObject({ host: '::1', port: 6380, db: 2 });
  });

  it.each<[string, string]>([
    ['https://hooks.example.com/', 'https://hooks.example.com'],
    ['https://hooks.example.com///', 'https://hooks.example.com'],
    ['https://example.com/hookflow/', 'https://example.com/hookflow'],
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080'],
  ])('uses PUBLIC_BASE_URL=%s as %s', (raw, expected) => {
    expect(loadConfig({ PUBLIC_BASE_URL: raw }).publicBaseUrl).toBe(expected);
  });

  it('derives the default public base URL from PORT', () => {
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it.each([['postgres://hookflow:secret@db:5432/hookflow'], ['postgresql://db/hookflow?sslmode=require']])(
    'accepts the postgres DATABASE_URL %s as is',
    (url) => {
      expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ type: 'postgres', url, poolMax: 10 });
      expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: '40' }).database).toEqual({ type: 'postgres', url, poolMax: 40 });
    },
  );

  it('takes a Redis Cluster hash tag as the prefix, so every key of the queue lands on one shard', () => {
    expect(loadConfig({ REDIS_PREFIX: '{hookflow}' }).redisPrefix).toBe('{hookflow}');
  });

  it.each<[string, string]>([
    ['sqlite::memory:', ':memory:'],
    ['sqlite:///var/lib/hookflow/db.sqlite', resolve('/var/lib/hookflow/db.sqlite')],
    ['sqlite:./tmp/x.sqlite', resolve('tmp', 'x.sqlite')],
  ])('resolves the sqlite DATABASE_URL %s to %s', (url, path) => {
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ type: 'sqlite', path });
  });

  it('reads the numeric limits', () => {
    const config = loadConfig({ MAX_BODY_BYTES: '2048', WORKER_CONCURRENCY: '4', JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '250' });
    expect(config).toMatchObject({ maxBodyBytes: 2048, workerConcurrency: 4, jobAttempts: 3, jobBackoffMs: 250 });
  });
});

describe('STEP_TYPE_MODULES', () => {
  it('is empty unless set', () => {
    expect(loadConfig({}).stepTypeModules).toEqual([]);
    expect(loadConfig({ STEP_TYPE_MODULES: ' ' }).stepTypeModules).toEqual([]);
  });

  it('takes packages by name and paths relative to the working directory, in order', () => {
    const modules = loadConfig({ STEP_TYPE_MODULES: '@acme/hookflow-steps, ./steps/crm.mjs,hookflow-steps-sms/dist/index.js' }).stepTypeModules;
    const file = resolve('steps/crm.mjs');
    expect(modules).toEqual([
      { name: '@acme/hookflow-steps', specifier: '@acme/hookflow-steps', file: null },
      { name: './steps/crm.mjs', specifier: pathToFileURL(file).href, file },
      { name: 'hookflow-steps-sms/dist/index.js', specifier: 'hookflow-steps-sms/dist/index.js', file: null },
    ]);
  });

  it.each<[string, string]>([
    ['a,,b', 'STEP_TYPE_MODULES: "a,,b" has an empty entry; separate modules with single commas'],
    ['a,b,a', 'STEP_TYPE_MODULES: "a" is listed twice'],
    ['steps module', 'STEP_TYPE_MODULES: "steps module" is neither a package name nor a path (./…, ../… or /…)'],
    ['C:steps', 'STEP_TYPE_MODULES: "C:steps" is neither a package name nor a path (./…, ../… or /…)'],
  ])('refuses %j', (value, message) => {
    expect(configError({ STEP_TYPE_MODULES: value }).message).toBe(message);
  });
});

describe('redactUrl', () => {
  it.each<[string, string]>([
    ['redis://user:secret@cache:6379/2', 'redis://user:***@cache:6379/2'],
    ['redis://:secret@cache:6379', 'redis://:***@cache:6379'],
    ['postgres://hookflow:s3cr%40t@db:5432/hookflow', 'postgres://hookflow:***@db:5432/hookflow'],
    ['redis://cache:6379', 'redis://cache:6379'],
    ['postgres://hookflow@db/hookflow', 'postgres://hookflow@db/hookflow'],
    ['not a url', 'not a url'],
  ])('%s → %s', (raw, redacted) => {
    expect(redactUrl(raw)).toBe(redacted);
    expect(redactUrl(raw)).not.toMatch(/secret|s3cr/);
  });
});
