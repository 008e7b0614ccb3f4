import { hash } from 'node:crypto';
import type { BackoffStrategy, DefaultJobOptions } from 'bullmq';
import type { AppConfig } from '../config/config.js';

/** The backoff type of webhook jobs; the worker computes its delays (settings.backoffStrategy). */
export const RETRY_BACKOFF = 'capped-exponential';
/** A delay is shortened by up to this fraction, so jobs that failed together do not retry together. */
const JITTER = 0.2;

type RetryConfig = Pick<AppConfig, 'jobAttempts' | 'jobBackoffMs' | 'jobBackoffMaxMs' | 'jobRetryWindowSeconds'>;

/**
 * Retries with capped exponential backoff: the job waits as a delayed job in Redis, holding no
 * worker slot. Finished jobs leave Redis so it does not grow with history.
 */
export function webhookJobOptions(config: AppConfig): DefaultJobOptions {
  return {
    attempts: retryAttempts(config),
    backoff: { type: RETRY_BACKOFF },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
  };
}

/**
 * The delay after a job's `attemptsMade`-th failed attempt: JOB_BACKOFF_MS doubling up to
 * JOB_BACKOFF_MAX_MS, less a jitter drawn from the job id and attempt. Deterministic, so the
 * worker can tell the log when the next attempt is before BullMQ delays the job by the same.
 */
export function retryDelayMs(config: RetryConfig, attemptsMade: number, jobId: string): number {
  const spread = Number.parseInt(hash('sha1', `${jobId}:${attemptsMade}`, 'hex').slice(0, 8), 16) / 0x1_0000_0000;
  return Math.round(fullDelayMs(config, attemptsMade) * (1 - JITTER * spread));
}

/** The worker's side of RETRY_BACKOFF. */
export function retryStrategy(config: RetryConfig): BackoffStrategy {
  return (attemptsMade, _type, _error, job) => retryDelayMs(config, attemptsMade, job?.id ?? '');
}

/**
 * JOB_ATTEMPTS when set; otherwise enough attempts for the shortest delays (jitter taken off)
 * to add up to JOB_RETRY_WINDOW_SECONDS: the retries last at least the window.
 */
export function retryAttempts(config: RetryConfig): number {
  if (config.jobAttempts !== null) return config.jobAttempts;
  const windowMs = config.jobRetryWindowSeconds * 1000;
  let attempts = 1;
  for (let waited = 0; waited < windowMs; attempts++) waited += fullDelayMs(config, attempts) * (1 - JITTER);
  return attempts;
}

function fullDelayMs(config: RetryConfig, attemptsMade: number): number {
  // 2^40 is past any cap (JOB_BACKOFF_MAX_MS is at most a day): no overflow to Infinity.
  return Math.min(config.jobBackoffMaxMs, config.jobBackoffMs * 2 ** Math.min(attemptsMade - 1, 40));
}
