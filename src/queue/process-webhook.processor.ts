import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookRunnerService, type WebhookOutcome } from '../engine/webhook-runner.service.js';
import { WEBHOOKS_QUEUE, type WebhookJob } from './queue.constants.js';

@Processor(WEBHOOKS_QUEUE)
export class ProcessWebhookProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProcessWebhookProcessor.name);

  constructor(
    private readonly runner: WebhookRunnerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  process(job: Job<WebhookJob>): Promise<WebhookOutcome> {
    const attempt = job.attemptsMade + 1;
    const lastAttempt = attempt >= (job.opts.attempts ?? 1);
    return this.runner.handle(job.data, `${job.id}:${attempt}`, lastAttempt);
  }

  /** Redis trouble: the worker reconnects by itself; say so once per error rather than crash. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Worker: ${error.message}`);
  }
}
