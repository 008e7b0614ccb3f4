import { BullRegistrar, OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { UnrecoverableError, type Job, type WorkerOptions } from 'bullmq';
import { isRetryable } from '../common/app-error.js';
import { queueConnection } from '../common/redis-connection.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { WebhookRunnerService } from './webhook-runner.service.js';
import { RetentionService } from './retention.service.js';
import { WebhookQueue } from './webhook-queue.js';
import { PipelineEvents } from './pipeline-events.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { retryDelayMs, retryStrategy } from './job-options.js';
import {
  JOB_PROCESS_WEBHOOK,
  JOB_REPLAY_BATCH,
  JOB_RETENTION,
  JOB_RUN_PROCESS,
  JOB_RESUME_INSTANCE,
  JOB_WAKE_INSTANCE,
  JOB_SCHEDULED_RUN,
  type InstanceJob,
  type ScheduledRunJob,
  type ReplayBatchJob,
  type RunProcessJob,
  type WebhookJob,
} from './job-contracts.js';
import { BulkReplaysService } from './bulk-replays.service.js';
import { CorrelationService } from './correlation.service.js';
import { InstanceResumer } from './instance-resumer.service.js';
import { ScheduledRuns } from './scheduled-runs.service.js';
import { ScheduleSync } from './schedule-sync.service.js';

type PipelineJob = Job<WebhookJob | RunProcessJob | ReplayBatchJob | InstanceJob | ScheduledRunJob>;

/** The options of the webhooks queue's worker, from the validated configuration. */
export function workerOptions(config: AppConfig): WorkerOptions {
  return {
    // Blocking connections must retry forever, or a Redis restart stops the worker.
    connection: queueConnection(config, { maxRetriesPerRequest: null }),
    prefix: config.redisPrefix,
    concurrency: config.workerConcurrency,
    // A job whose worker died is taken over once its lock lapses: WORKER_LOCK_MS bounds that delay.
    lockDuration: config.workerLockMs,
    stalledInterval: config.workerLockMs,
    // A failed attempt waits as a delayed job (no worker slot held) for the delay computed here.
    settings: { backoffStrategy: retryStrategy(config) },
  };
}

/**
 * The consumer of the webhooks queue: hands each job to the pipeline's services, by job name.
 * WorkerModule applies @Processor to it with the configured queue name and worker options.
 * Its worker is registered once the application has started (so a start that fails holds no
 * blocking connection), and closed in onModuleDestroy, letting the active jobs finish before
 * the queue and the database close (in onApplicationShutdown), since a finishing job still uses both.
 */
@Injectable()
export class WebhookJobsConsumer extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookJobsConsumer.name);
  private registered = false;

  constructor(
    private readonly registrar: BullRegistrar,
    private readonly dispatcher: WebhookDispatcher,
    private readonly runner: WebhookRunnerService,
    private readonly retention: RetentionService,
    private readonly queue: WebhookQueue,
    private readonly events: PipelineEvents,
    private readonly log: WebhookLogService,
    private readonly bulkReplays: BulkReplaysService,
    private readonly correlation: CorrelationService,
    private readonly resumer: InstanceResumer,
    private readonly scheduled: ScheduledRuns,
    private readonly schedules: ScheduleSync,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.scheduleRetention();
    await this.schedules.start();
    this.registrar.register();
    this.registered = true;
  }

  async onModuleDestroy(): Promise<void> {
    // Not registered when the start failed before the application had started.
    if (this.registered) await this.worker.close();
  }

  @OnWorkerEvent('failed')
  onFailed(job: PipelineJob | undefined, error?: Error): void {
    if (error instanceof UnrecoverableError) return;
    if (job && job.attemptsMade < (job.opts.attempts ?? 1)) this.events.jobRetried(job.name);
  }

  // Redis trouble: the worker reconnects by itself; say so rather than crash.
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Worker: ${error.message}`);
  }

  async process(job: PipelineJob): Promise<unknown> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await this.handle(job, lastAttempt);
    } catch (error) {
      // The same rule as a run's (ERROR_CODES): what waiting does not mend is not tried again.
      if (!isRetryable(error)) throw new UnrecoverableError((error as Error).message);
      if (!lastAttempt && (job.name === JOB_PROCESS_WEBHOOK || job.name === JOB_RUN_PROCESS)) await this.noteRetry(job, error as Error);
      throw error;
    }
  }

  /**
   * Tells the webhook's log entry that an attempt failed and when the next one is, before BullMQ
   * delays the job by the same (deterministic) delay; written here, the note cannot land after
   * the next attempt has finished the webhook.
   */
  private async noteRetry(job: PipelineJob, error: Error): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(this.config, attempt, job.id ?? ''));
    const { tenantId, webhookId } = job.data as WebhookJob | RunProcessJob;
    await this.log
      .retrying(tenantId, webhookId, { message: error.message, attempt, attempts: job.opts.attempts ?? 1, nextAttemptAt })
      // The database may be what failed: the retry matters, the note does not.
      .catch((noteError: Error) => this.logger.warn(`Retry of webhook ${webhookId} not noted: ${noteError.message}`));
  }

  private async handle(job: PipelineJob, lastAttempt: boolean): Promise<unknown> {
    switch (job.name) {
      case JOB_PROCESS_WEBHOOK: {
        const webhook = job.data as WebhookJob;
        // Waiting instances it resumes first; its log entry names them.
        webhook.resumedIds = await this.correlation.correlate(webhook);
        const { runIds, inline } = await this.dispatcher.dispatch(webhook, job.opts.priority);
        return inline ? this.runner.runProcess(inline, lastAttempt, webhook) : runIds;
      }
      case JOB_RUN_PROCESS:
        return this.runner.runProcess(job.data as RunProcessJob, lastAttempt);
      case JOB_RETENTION:
        return this.retention.purge();
      case JOB_RESUME_INSTANCE:
        return this.resumer.resume(job.data as InstanceJob, lastAttempt);
      case JOB_WAKE_INSTANCE:
        return this.resumer.wake(job.data as InstanceJob, lastAttempt);
      case JOB_SCHEDULED_RUN:
        return this.scheduled.run(job as Job<ScheduledRunJob>, lastAttempt);
      case JOB_REPLAY_BATCH:
        return this.bulkReplays.runBatch(job.data as ReplayBatchJob);
      default:
        // A job this version does not know (a newer producer?): fail it visibly, do not drop it.
        throw new Error(`No handler for job "${job.name}"`);
    }
  }
}
