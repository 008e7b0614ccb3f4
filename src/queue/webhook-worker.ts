import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookDispatcher } from '../engine/webhook-dispatcher.service.js';
import { WebhookRunnerService } from '../engine/webhook-runner.service.js';
import { RetentionService } from '../engine/retention.service.js';
import { WebhookQueue } from './webhook-queue.producer.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JOB_PROCESS_WEBHOOK, JOB_RETENTION, JOB_RUN_PROCESS, type RunProcessJob, type WebhookJob } from './queue.constants.js';

/**
 * The BullMQ worker of the webhooks queue: hands each job to the engine, by job name. It stops
 * taking jobs and lets the active ones finish in onModuleDestroy, before the producer and the
 * database close (in onApplicationShutdown), since a finishing job still uses both.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookWorker.name);
  private worker: Worker<WebhookJob | RunProcessJob> | null = null;

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly runner: WebhookRunnerService,
    private readonly retention: RetentionService,
    private readonly queue: WebhookQueue,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Connects once every module is ready, so a start that fails leaves no connection behind.
  async onApplicationBootstrap(): Promise<void> {
    const config = this.config;
    const worker = new Worker<WebhookJob | RunProcessJob>(config.queueName, (job) => this.process(job), {
      // Blocking connections must retry forever, or a Redis restart stops the worker.
      connection: { ...config.redis, maxRetriesPerRequest: null },
      prefix: config.redisPrefix,
      concurrency: config.workerConcurrency,
      // A job whose worker died is taken over once its lock lapses: WORKER_LOCK_MS bounds that delay.
      lockDuration: config.workerLockMs,
      stalledInterval: config.workerLockMs,
      autorun: false,
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

  private async process(job: Job<WebhookJob | RunProcessJob>): Promise<unknown> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
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
      default:
        // A job this version does not know (a newer producer?): fail it visibly, do not drop it.
        throw new Error(`No handler for job "${job.name}"`);
    }
  }
}
