import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';

const WINDOW_MS = 60_000;
// One round trip, atomic: count this request in the key's current minute.
const COUNT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

/**
 * Webhooks per API key per minute, counted in Redis so the limit holds across API processes.
 * Each key has its own counter: one noisy source is refused (429) without slowing the others.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly redis: Redis | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis =
      config.rateLimitPerMinute > 0
        ? new Redis({ ...config.redis, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 })
        : null;
    this.redis?.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.disconnect();
  }

  async take(apiKeyId: string): Promise<void> {
    if (!this.redis) return;
    const window = Math.floor(Date.now() / WINDOW_MS);
    let result: [number, number];
    try {
      result = (await this.redis.eval(COUNT, 1, `${this.config.redisPrefix}:rate:${apiKeyId}:${window}`, WINDOW_MS)) as [number, number];
    } catch {
      throw new AppError(ErrorCode.QueueUnavailable, 'The webhook queue is unavailable; send the webhook again later', {
        'Retry-After': '5',
      });
    }
    const [count, ttlMs] = result;
    if (count > this.config.rateLimitPerMinute) {
      throw new AppError(ErrorCode.RateLimited, `This API key may send ${this.config.rateLimitPerMinute} webhooks a minute`, {
        'Retry-After': String(Math.max(1, Math.ceil(ttlMs / 1000))),
      });
    }
  }
}
