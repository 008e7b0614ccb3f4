import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { createRedisClient, type RedisClient } from '../common/redis-connection.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';

const WINDOW_MS = 60_000;
/** How often each API process adds its counts to the shared ones and reads the others' back. */
const RATE_SYNC_MS = 100;
// Atomic per key: add this process's count for the key's current minute, answer the total.
const ADD = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return count`;

/** The client with the ADD script defined on it as a command. */
type RateRedis = RedisClient & { hookflowRateAdd(key: string, by: number, ttlMs: number): Promise<number> };

interface KeyWindow {
  window: number;
  /** Counted here and not yet added to Redis. */
  pending: number;
  /** Being added to Redis: in neither pending nor shared until Redis answers, yet counted. */
  adding: number;
  /** The total across processes at the last sync, this process's part included. */
  shared: number;
}

/**
 * Webhooks per API key per minute, across API processes, each key with its own limit (carried
 * by the cached key: its own, its tenant's or RATE_LIMIT_PER_MINUTE). Each process counts in memory and adds
 * its counts to Redis every RATE_SYNC_MS, learning the other processes' totals in return: no
 * Redis round trip on the webhook's path. A single process is exact; with several, a key may
 * exceed its limit by what the other processes accepted in the last RATE_SYNC_MS. Each key has
 * its own counter: one noisy source is refused (429) without slowing the others.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  // Connected at the first limited key: with no limit anywhere, no connection at all.
  private redis: RateRedis | null = null;
  private readonly keys = new Map<string, KeyWindow>();
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.redis) await this.sync();
    this.redis?.disconnect();
  }

  /** Counts a webhook of the key; 429 once it has sent `limit` this minute (0: no limit). */
  take(apiKeyId: string, limit: number): void {
    if (limit <= 0) return;
    this.redis ??= this.connect();
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    let counts = this.keys.get(apiKeyId);
    if (!counts || counts.window !== window) {
      counts = { window, pending: 0, adding: 0, shared: 0 };
      this.keys.set(apiKeyId, counts);
    }
    if (counts.shared + counts.adding + counts.pending >= limit) {
      throw new AppError(ErrorCode.RateLimited, `This API key may send ${limit} webhooks a minute`, {
        'Retry-After': String(Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000))),
      });
    }
    counts.pending += 1;
    this.timer ??= setTimeout(() => void this.sync(), RATE_SYNC_MS);
  }

  private connect(): RateRedis {
    const redis = createRedisClient(this.config, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on('error', () => undefined);
    redis.defineCommand('hookflowRateAdd', { numberOfKeys: 1, lua: ADD });
    return redis as RateRedis;
  }

  /**
   * Adds the pending counts to Redis and takes the totals back; keys of past minutes are
   * dropped. The next request of a key schedules the next sync.
   */
  private async sync(): Promise<void> {
    this.timer = null;
    const window = Math.floor(Date.now() / WINDOW_MS);
    const work: Promise<void>[] = [];
    for (const [apiKeyId, counts] of this.keys) {
      if (counts.window !== window) {
        this.keys.delete(apiKeyId);
        continue;
      }
      if (counts.pending === 0) continue;
      const added = counts.pending;
      counts.pending = 0;
      counts.adding += added;
      const key = `${this.config.redisPrefix}:rate:${apiKeyId}:${counts.window}`;
      work.push(
        this.redis!.hookflowRateAdd(key, added, WINDOW_MS).then(
          (total) => {
            counts.adding -= added;
            counts.shared = Math.max(counts.shared, total);
          },
          (error: Error) => {
            // Redis is away: keep the count for the next sync. The queue refuses webhooks meanwhile.
            counts.adding -= added;
            counts.pending += added;
            this.logger.debug(`Rate counts not synced: ${error.message}`);
          },
        ),
      );
    }
    await Promise.all(work);
  }
}
