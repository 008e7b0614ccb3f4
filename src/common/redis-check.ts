import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { redactUrl } from '../config/config.js';

/**
 * Answers null when Redis replies to PING within the timeout, otherwise one line that says
 * what failed and how to get a Redis. The service checks this before it starts, so a missing
 * Redis ends the start at once instead of a retry loop.
 */
export async function redisProblem(config: AppConfig, timeoutMs = 3000): Promise<string | null> {
  const client = new Redis({
    ...config.redis,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await warnIfRedisCanEvict(client);
    return null;
  } catch (error) {
    return (
      `Cannot reach Redis at ${redactUrl(config.redisUrl)} (${(error as Error).message}). ` +
      'Start one with "docker compose up -d redis" or your distribution\'s redis-server package, or set REDIS_URL.'
    );
  } finally {
    client.disconnect();
  }
}

/**
 * Acknowledged webhooks live in Redis until a worker takes them: a Redis that may evict keys
 * under memory pressure may drop them. Said loudly at every start; the start goes on, since a
 * managed Redis may not let us read its configuration.
 */
async function warnIfRedisCanEvict(client: Redis): Promise<void> {
  try {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction') {
      new Logger('Redis').warn(`maxmemory-policy is "${policy}": under memory pressure Redis may evict queued webhooks. Set it to "noeviction".`);
    }
  } catch {
    // CONFIG is often disabled on managed Redis; nothing to check then.
  }
}
