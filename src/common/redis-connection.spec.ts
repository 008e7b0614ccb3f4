import { describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { loadConfig } from '../config/config.js';
import { createRedisClient, queueConnection, redisLocation } from './redis-connection.js';

describe('Redis connections from the configuration', () => {
  const single = loadConfig({ REDIS_URL: 'redis://:secret@redis.internal:6380/2' });
  const cluster = loadConfig({ REDIS_URL: 'rediss://hook:secret@ignored:6379', REDIS_CLUSTER_NODES: 'node-1:7000,node-2:7000' });

  it('gives BullMQ options for one Redis, as they were, with nothing left undefined', () => {
    expect(queueConnection(single, { maxRetriesPerRequest: null })).toEqual({
      host: 'redis.internal',
      port: 6380,
      password: 'secret',
      db: 2,
      maxRetriesPerRequest: null,
    });
  });

  it('gives BullMQ an unconnected cluster client, each node with the credentials, TLS and tuning', () => {
    const client = queueConnection(cluster, { maxRetriesPerRequest: null, connectTimeout: 2000, enableOfflineQueue: false }) as Cluster;
    try {
      expect(client).toBeInstanceOf(Cluster);
      expect(client.status).toBe('wait');
      expect(client.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false });
      expect(client.options.redisOptions).toEqual({ username: 'hook', password: 'secret', tls: {}, maxRetriesPerRequest: null, connectTimeout: 2000 });
      // BullMQ refuses a blocking cluster connection whose nodes may give up on a command.
      expect(client.options.redisOptions).toHaveProperty('maxRetriesPerRequest', null);
    } finally {
      client.disconnect();
    }
  });

  it('makes a plain client for one Redis and a cluster client with REDIS_CLUSTER_NODES', () => {
    const plain = createRedisClient(single, { lazyConnect: true });
    const clustered = createRedisClient(cluster, { lazyConnect: true, reconnect: false });
    try {
      expect(plain).toBeInstanceOf(Redis);
      expect(clustered).toBeInstanceOf(Cluster);
      expect((clustered as Cluster).options.clusterRetryStrategy?.(1, new Error('down'))).toBeNull();
    } finally {
      plain.disconnect();
      clustered.disconnect();
    }
  });

  it('names the Redis without its password', () => {
    expect(redisLocation(single)).toBe('Redis at redis://:***@redis.internal:6380/2');
    expect(redisLocation(cluster)).toBe('the Redis Cluster at node-1:7000,node-2:7000');
  });
});
