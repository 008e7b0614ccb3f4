import type { DefaultJobOptions } from 'bullmq';
import type { AppConfig } from '../config/config.js';

/** Retries with exponential backoff and jitter; finished jobs leave Redis so it does not grow with history. */
export function webhookJobOptions(config: AppConfig): DefaultJobOptions {
  return {
    attempts: config.jobAttempts,
    backoff: { type: 'exponential', delay: config.jobBackoffMs, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
  };
}
