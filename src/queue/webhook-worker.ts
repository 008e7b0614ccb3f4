import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookDispatcher } from '../engine/webhook-dispatcher.service.js';
import { WebhookRunnerService } from '../engine/webhook-runner.service.js';
import { RetentionService } from '../engine/retention.service.js';
import { WebhookQueue } from './webhook-queue.producer.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { retryDelayMs, retryStrategy } from './job-options.js';
import { JOB_PROCESS_WEBHOOK, JOB_REPLAY_BATCH, JOB_RETENTION, JOB_RUN_PROCESS, type ReplayBatchJob, type RunProcessJob, type WebhookJob } from './queue.constants.js';
import { BulkReplaysService } from './bulk-replays.service.js';

/**
 * The BullMQ worker of the webhooks queue: hands each job to the engine, by job name. It stops
 * taking jobs and lets the active ones finish in onModuleDestroy, before the producer and the
 * database close (in onApplicationShutdown), since a finishing job still uses both.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookWorker.name);
  private worker: Worker<WebhookJob | RunProcessJob | ReplayBatchJob> | null = null;

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly runner: WebhookRunnerService,
    private readonly retention: RetentionService,
    private readonly queue: WebhookQueue,
    private readonly metrics: MetricsService,
    private readonly log: WebhookLogService,
    private readonly bulkReplays: BulkReplaysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Connects once every module is ready, so a start that fails leaves no connection behind.
  async onApplicationBootstrap(): Promise<void> {
    const config = this.config;
    const worker = new Worker<WebhookJob | RunProcessJob | ReplayBatchJob>(config.queueName, (job) => this.process(job), {
      // Blocking connections must retry forever, or a Redis restart stops the worker.
      connection: { ...config.redis, maxRetriesPerRequest: null },
      prefix: config.redisPrefix,
      concurrency: config.workerConcurrency,
      // A job whose worker died is taken over once its lock lapses: WORKER_LOCK_MS bounds that delay.
      lockDuration: config.workerLockMs,
      stalledInterval: config.workerLockMs,
      autorun: false,
      // A failed attempt waits as a delayed job (no worker slot held) for the delay computed here.
      settings: { backoffStrategy: retryStrategy(config) },
    });
    worker.on('failed', (job) => {
      if (job && job.attemptsMade < (job.opts.attempts ?? 1)) this.metrics.jobRetried(job.name);
    });
    // Redis trouble: the worker reconnects by itself; say so rather than crash.
    worker.on('error', (error) => this.logger.warn(`Worker: ${error.message}`));
    this.worker = worker;
    await this.queue.scheduleRetention();
    worker.run().catch((error: Error) => this.logger.error(`Worker stopped: ${error.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }

  private async process(job: Job<WebhookJob | RunProcessJob | ReplayBatchJob>): Promise<unknown> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await this.handle(job, lastAttempt);
    } catch (error) {
      if (!lastAttempt && (job.name === JOB_PROCESS_WEBHOOK || job.name === JOB_RUN_PROCESS)) await this.noteRetry(job, error as Error);
      throw error;
    }
  }

  /**
   * Tells the webhook's log entry that an attempt failed and when the next one is, before BullMQ
   * delays the job by the same (deterministic) delay; written here, the note cannot land after
   * the next attempt has finished the webhook.
   */
  private async noteRetry(job: Job<WebhookJob | RunProcessJob | ReplayBatchJob>, error: Error): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(this.config, attempt, job.id ?? ''));
    const { tenantId, webhookId } = job.data as WebhookJob | RunProcessJob;
    await this.log
      .retrying(tenantId, webhookId, { message: error.message, attempt, attempts: job.opts.attempts ?? 1, nextAttemptAt })
      // The database may be what failed: the retry matters, the note does not.
      .catch((noteError: Error) => this.logger.warn(`Retry of webhook ${webhookId} not noted: ${noteError.message}`));
  }

  private async handle(job: Job<WebhookJob | RunProcessJob | ReplayBatchJob>, lastAttempt: boolean): Promise<unknown> {
    switch (job.name) {
      case JOB_PROCESS_WEBHOOK: {
        const webhook = job.data as WebhookJob;
        const { runIds, inline } = await this.dispatcher.dispatch(webhook, job.opts.priority);
        return inline ? this.runner.runProcess(inline, lastAttempt, webhook) : runIds;
      }
      case JOB_RUN_PROCESS:
        return this.runner.runProcess(job.data as RunProcessJob, lastAttempt);
      case JOB_RETENTION:
        return this.retention.purge();
      case JOB_REPLAY_BATCH:
        return this.bulkReplays.runBatch(job.data as ReplayBatchJob);
      default:
        // A job this version does not know (a newer producer?): fail it visibly, do not drop it.
        throw new Error(`No handler for job "${job.name}"`);
    }
  }
}
