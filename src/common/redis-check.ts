import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { createRedisClient, redisLocation, type RedisClient } from './redis-connection.js';

/**
 * Answers null when Redis replies to PING within the timeout, otherwise one line that says
 * what failed and how to get a Redis (or that REDIS_URL names a node of a cluster). The service
 * checks this before it starts, so a missing Redis ends the start at once instead of a retry loop.
 */
export async function redisProblem(config: AppConfig, timeoutMs = 3000): Promise<string | null> {
  const client = createRedisClient(config, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    reconnect: false,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const hint = config.redisClusterNodes
      ? 'Check REDIS_CLUSTER_NODES, and that the cluster is up (cluster_state:ok).'
      : 'Start one with "docker compose up -d redis" or your distribution\'s redis-server package, or set REDIS_URL.';
    client.disconnect();
    return `Cannot reach ${redisLocation(config)} (${(error as Error).message}). ${hint}`;
  }
  try {
    if (!config.redisClusterNodes && (await isClusterNode(client))) {
      // Commands for keys of another node's slots would fail with MOVED once the service runs.
      return `${redisLocation(config)} is a node of a Redis Cluster: set REDIS_CLUSTER_NODES to its nodes (host:port,host:port…) and REDIS_PREFIX to a name in braces, e.g. {hookflow}.`;
    }
    await warnIfRedisCanEvict(client);
    return null;
  } finally {
    client.disconnect();
  }
}

async function isClusterNode(client: RedisClient): Promise<boolean> {
  try {
    return /^cluster_enabled:1/m.test(await client.info('cluster'));
  } catch {
    // INFO may be disabled on managed Redis: then it is used as it answers.
    return false;
  }
}

/**
 * Acknowledged webhooks live in Redis until a worker takes them: a Redis that may evict keys
 * under memory pressure may drop them. Said loudly at every start; the start goes on, since a
 * managed Redis may not let us read its configuration.
 */
async function warnIfRedisCanEvict(client: RedisClient): Promise<void> {
  try {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction') {
      new Logger('Redis').warn(`maxmemory-policy is "${policy}": under memory pressure Redis may evict queued webhooks. Set it to "noeviction".`);
    }
  } catch {
    // CONFIG is often disabled on managed Redis; nothing to check then.
  }
}
