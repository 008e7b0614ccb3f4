import { hasRedisServer, startRedis } from './redis-server.mjs';

/**
 * Tests use the Redis at REDIS_URL when it is set; otherwise a private redis-server on a free
 * port, started here for the whole run (the test workers inherit REDIS_URL).
 */
export default async function globalSetup() {
  if (process.env.REDIS_URL) return;
  if (!hasRedisServer()) {
    throw new Error(
      'The tests need Redis: set REDIS_URL to a Redis they may use, or install redis-server ' +
        '(e.g. apt-get install redis-server) so the tests can start a private one.',
    );
  }
  const redis = await startRedis();
  process.env.REDIS_URL = redis.url;
  globalThis.__hookflowRedis = redis;
}
