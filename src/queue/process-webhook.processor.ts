import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookDispatcher } from '../engine/webhook-dispatcher.service.js';
import { WebhookRunnerService } from '../engine/webhook-runner.service.js';
import { RetentionService } from '../engine/retention.service.js';
import { WebhookQueue } from './webhook-queue.producer.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JOB_PROCESS_WEBHOOK, JOB_RETENTION, JOB_RUN_PROCESS, WEBHOOKS_QUEUE, type RunProcessJob, type WebhookJob } from './queue.constants.js';

/** Hands each job of the webhooks queue to the engine, by job name. */
// Started in onApplicationBootstrap, once the configured lock times are set.
@Processor(WEBHOOKS_QUEUE, { autorun: false })
export class ProcessWebhookProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProcessWebhookProcessor.name);

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly runner: WebhookRunnerService,
    private readonly retention: RetentionService,
    private readonly queue: WebhookQueue,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.workerConcurrency;
    // A job whose worker died is taken over once its lock lapses: WORKER_LOCK_MS bounds that delay.
    Object.assign(this.worker.opts, { lockDuration: this.config.workerLockMs, stalledInterval: this.config.workerLockMs });
    await this.queue.scheduleRetention();
    this.worker.run().catch((error: Error) => this.logger.error(`Worker stopped: ${error.message}`));
  }

  async process(job: Job<WebhookJob | RunProcessJob>): Promise<unknown> {
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

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined): void {
    if (job && job.attemptsMade < (job.opts.attempts ?? 1)) this.metrics.jobRetried(job.name);
  }

  /** Redis trouble: the worker reconnects by itself; say so rather than crash. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Worker: ${error.message}`);
  }
}
