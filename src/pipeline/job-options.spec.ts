import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../config/config.js';
import { retryAttempts, retryDelayMs, webhookJobOptions } from './job-options.js';

describe('retry schedule', () => {
  it('by default retries for about a day: 1 s doubling up to an hour between attempts', () => {
    const config = loadConfig({});
    const attempts = retryAttempts(config);
    const delays = Array.from({ length: attempts - 1 }, (_, i) => retryDelayMs(config, i + 1, 'job-1'));
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(total).toBeLessThan(31 * 3_600_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3_600_000);
    expect(delays[0]).toBeGreaterThanOrEqual(800);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(webhookJobOptions(config)).toMatchObject({ attempts, backoff: { type: 'capped-exponential' } });
  });

  it('draws the same delay for the same job and attempt, so the log can tell it before BullMQ applies it', () => {
    const config = loadConfig({ JOB_BACKOFF_MS: '100', JOB_BACKOFF_MAX_MS: '1000', JOB_RETRY_WINDOW_SECONDS: '60' });
    expect(retryDelayMs(config, 3, 'a')).toBe(retryDelayMs(config, 3, 'a'));
    expect(retryDelayMs(config, 3, 'a')).toBeGreaterThanOrEqual(320);
    expect(retryDelayMs(config, 3, 'a')).toBeLessThanOrEqual(400);
    expect(retryDelayMs(config, 30, 'a')).toBeLessThanOrEqual(1000);
  });

  it('JOB_ATTEMPTS, when set, is the number of attempts', () => {
    expect(retryAttempts(loadConfig({ JOB_ATTEMPTS: '5' }))).toBe(5);
    expect(retryAttempts(loadConfig({ JOB_RETRY_WINDOW_SECONDS: '0' }))).toBe(1);
  });

  it.each<[Record<string, string>, string]>([
    [{ JOB_BACKOFF_MS: '5000', JOB_BACKOFF_MAX_MS: '1000' }, 'JOB_BACKOFF_MAX_MS: 1000 is below JOB_BACKOFF_MS (5000)'],
    [
      { JOB_BACKOFF_MS: '1', JOB_BACKOFF_MAX_MS: '10', JOB_RETRY_WINDOW_SECONDS: '86400' },
      'JOB_RETRY_WINDOW_SECONDS: 86400 s at most 10 ms apart is over 10000 attempts; raise JOB_BACKOFF_MAX_MS',
    ],
    [{ JOB_RETRY_WINDOW_SECONDS: 'a day' }, 'JOB_RETRY_WINDOW_SECONDS: "a day" is not a whole number'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
