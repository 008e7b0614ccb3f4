import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../config/config.js';
import { RateLimiter } from './rate-limiter.js';

/** A limiter whose Redis answers only when told to, counting across processes like the real script. */
function limiter() {
  const totals = new Map<string, number>();
  const answers: Array<() => void> = [];
  const redis = {
    hookflowRateAdd: (key: string, by: number) =>
      new Promise<number>((resolve) => answers.push(() => resolve(totals.set(key, (totals.get(key) ?? 0) + by).get(key)!))),
    disconnect: () => undefined,
  };
  const rateLimiter = new RateLimiter({ redisPrefix: 'test' } as AppConfig);
  (rateLimiter as unknown as { connect: () => unknown }).connect = () => redis;
  return { rateLimiter, answerAll: () => answers.splice(0).forEach((answer) => answer()) };
}

const syncStarted = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('RateLimiter', () => {
  it('refuses the webhook over a key limit, with Retry-After, without touching other keys', () => {
    const { rateLimiter } = limiter();
    for (let i = 0; i < 3; i++) rateLimiter.take('a', 3);
    expect(() => rateLimiter.take('a', 3)).toThrow('This API key may send 3 webhooks a minute');
    expect(() => rateLimiter.take('b', 3)).not.toThrow();
    expect(() => rateLimiter.take('c', 0)).not.toThrow();
  });

  it('still counts webhooks whose counts are on their way to Redis', async () => {
    const { rateLimiter, answerAll } = limiter();
    for (let i = 0; i < 3; i++) rateLimiter.take('a', 3);
    await syncStarted();
    // Redis has not answered the sync yet: the three are neither pending nor in the shared total.
    expect(() => rateLimiter.take('a', 3)).toThrow('3 webhooks a minute');
    answerAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => rateLimiter.take('a', 3)).toThrow('3 webhooks a minute');
    await rateLimiter.onModuleDestroy();
  });
});
