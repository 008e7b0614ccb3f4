import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { JOB_PROCESS_WEBHOOK, JOB_RETENTION, JOB_RUN_PROCESS, WEBHOOKS_QUEUE, type RunProcessJob, type WebhookJob } from './queue.constants.js';
import { webhookJobOptions } from './job-options.js';

const ENQUEUE_TIMEOUT_MS = 2000;
const RETRY_AFTER_SECONDS = '5';

/** The one producer of the webhooks queue. */
@Injectable()
export class WebhookQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookQueue.name);
  private readonly queue: Queue<WebhookJob | RunProcessJob>;

  private readonly idempotencyWindowMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.idempotencyWindowMs = config.idempotencyWindowSeconds * 1000;
    this.queue = new Queue<WebhookJob | RunProcessJob>(WEBHOOKS_QUEUE, {
      // Fail fast while Redis is away: a command must not wait in a client-side buffer and run
      // after the sender has already been told 503 (it would then be queued twice).
      connection: { ...config.redis, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 },
      prefix: config.redisPrefix,
      defaultJobOptions: webhookJobOptions(config),
    });
    this.queue.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.queue.waitUntilReady();
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }

  /** Rejects unless Redis answers PING within the time. */
  async ping(timeoutMs: number): Promise<void> {
    // The Redis backend's client is an ioredis connection; BullMQ types it more narrowly.
    const client = (await this.queue.getBackend().client) as unknown as { ping(): Promise<string> };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Jobs of every tenant waiting, running and waiting to be retried (the console's queue depth). */
  async depth(): Promise<{ waiting: number; active: number; delayed: number }> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
  }

  /** Makes sure the retention job runs every hour (one schedule, however many workers ask). */
  async scheduleRetention(): Promise<void> {
    await this.queue.upsertJobScheduler(JOB_RETENTION, { every: 3_600_000 }, { name: JOB_RETENTION, data: {} as WebhookJob });
  }

  /** The job of a webhook still in Redis (queued or being processed), if any. */
  async find(webhookId: string): Promise<WebhookJob | null> {
    const job = await this.queue.getJob(webhookId);
    return job && job.name === JOB_PROCESS_WEBHOOK ? (job.data as WebhookJob) : null;
  }

  /** Queues runs; the job id is the run id, so a repeated dispatch does not queue a run twice. */
  async addRuns(runs: RunProcessJob[]): Promise<void> {
    await this.queue.addBulk(runs.map((run) => ({ name: JOB_RUN_PROCESS, data: run, opts: { jobId: `run-${run.runId}` } })));
  }

  /**
   * Resolves once Redis holds the job; otherwise a 503 error with Retry-After. With a delivery
   * id, a repeat within the idempotency window adds nothing and answers the first webhook's id
   * (Redis decides atomically, so two repeats at once cannot both be queued).
   */
  async add(job: WebhookJob, deliveryId?: string): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ENQUEUE_TIMEOUT_MS);
    });
    try {
      const deduplication = deliveryId ? { id: deliveryId, ttl: this.idempotencyWindowMs } : undefined;
      const added = await Promise.race([this.queue.add(JOB_PROCESS_WEBHOOK, job, { jobId: job.webhookId, deduplication }), timeout]);
      return added.id ?? job.webhookId;
    } catch (error) {
      this.logger.warn(`Webhook ${job.webhookId} not queued: ${(error as Error).message}`);
      throw new AppError(ErrorCode.QueueUnavailable, 'The webhook queue is unavailable; send the webhook again later', {
        'Retry-After': RETRY_AFTER_SECONDS,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
