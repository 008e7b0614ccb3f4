import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { redactUrl } from '../config/config.js';

export type RedisClient = Redis | Cluster;

type RedisSettings = Pick<AppConfig, 'redis' | 'redisClusterNodes' | 'redisUrl'>;

/** How one of the service's connections behaves when Redis is slow or away: all that differs between them. */
export interface RedisTuning {
  connectTimeout?: number;
  /** Per command; a command still unanswered then fails. */
  commandTimeout?: number;
  /** Retries of a command across reconnections; null: for ever (what BullMQ's blocking connections need). */
  maxRetriesPerRequest?: number | null;
  /** false: a command sent while disconnected fails at once instead of waiting for the connection. */
  enableOfflineQueue?: boolean;
  lazyConnect?: boolean;
  /** false: a lost connection stays lost (a one-off check). */
  reconnect?: boolean;
}

/**
 * A client for the configured Redis: the one Redis of REDIS_URL, or a Redis Cluster
 * (REDIS_CLUSTER_NODES), which follows the slots (MOVED, ASK, failovers) by itself. Every
 * connection of the service comes from here or from queueConnection.
 */
export function createRedisClient(config: RedisSettings, tuning: RedisTuning = {}): RedisClient {
  const { enableOfflineQueue, lazyConnect, reconnect, ...perNode } = tuning;
  if (!config.redisClusterNodes) {
    return new Redis(defined({ ...config.redis, ...perNode, enableOfflineQueue, lazyConnect, retryStrategy: reconnect === false ? () => null : undefined }));
  }
  const { username, password, tls } = config.redis;
  return new Cluster(config.redisClusterNodes, {
    // Each node's connection; the cluster reconnects them and queues commands itself.
    redisOptions: defined({ username, password, tls, ...perNode }),
    enableOfflineQueue,
    lazyConnect,
    clusterRetryStrategy: reconnect === false ? () => null : undefined,
    // With TLS the certificate names the host, not the address ioredis would otherwise resolve it to.
    dnsLookup: tls ? (address, callback) => callback(null, address) : undefined,
  });
}

/**
 * What BullMQ is given as `connection`. For one Redis, options, from which BullMQ makes (and
 * closes) its own clients as it always has. BullMQ makes only plain clients from options, so for a
 * cluster it is given a client, unconnected until used: a worker duplicates it and never uses it,
 * and a queue leaves it open when closed (the queue must be registered with
 * forceDisconnectOnShutdown).
 */
export function queueConnection(config: RedisSettings, tuning: Omit<RedisTuning, 'lazyConnect' | 'reconnect'>): ConnectionOptions {
  if (!config.redisClusterNodes) return defined({ ...config.redis, ...tuning });
  return createRedisClient(config, { ...tuning, lazyConnect: true });
}

/** Which Redis is configured, for messages (without the password). */
export function redisLocation(config: RedisSettings): string {
  if (!config.redisClusterNodes) return `Redis at ${redactUrl(config.redisUrl)}`;
  return `the Redis Cluster at ${config.redisClusterNodes.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)).join(',')}`;
}

// Options left unset must be absent, not undefined: BullMQ merges them over its own defaults.
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
