import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import {
  WEBHOOKS_QUEUE,
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
import { FairShare } from './fair-share.js';

/** How long a webhook's enqueue may take before the sender is answered 503. */
export const ENQUEUE_TIMEOUT_MS = 2000;
const RETRY_AFTER_SECONDS = '5';

/**
 * The one producer of the webhooks queue. The queue itself is @nestjs/bullmq's, closed by it when
 * the application shuts down: after every onModuleDestroy, so once the worker's active jobs,
 * which may queue runs, have finished.
 */
@Injectable()
export class WebhookQueue implements OnModuleInit {
  private readonly logger = new Logger(WebhookQueue.name);
  private readonly idempotencyWindowMs: number;
  private readonly fairShare = new FairShare();

  constructor(
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<WebhookJob | RunProcessJob | ReplayBatchJob | InstanceJob | ScheduledRunJob>,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.idempotencyWindowMs = config.idempotencyWindowSeconds * 1000;
    this.queue.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.queue.waitUntilReady();
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

  /** Makes sure the retention job runs every hour (one schedule, however many workers ask). */
  async scheduleRetention(): Promise<void> {
    await this.queue.upsertJobScheduler(JOB_RETENTION, { every: 3_600_000 }, { name: JOB_RETENTION, data: {} as WebhookJob, opts: { priority: 1 } });
  }

  /** The queue itself, for the operators' dashboard (it lists, retries and removes jobs). */
  dashboardQueue(): Queue {
    return this.queue;
  }

  /** Jobs of every tenant by state; prioritized ones wait too (every webhook job has a priority). */
  async counts(): Promise<Record<'waiting' | 'active' | 'delayed' | 'failed', number>> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return { waiting: counts.waiting + counts.prioritized, active: counts.active, delayed: counts.delayed, failed: counts.failed };
  }

  /**
   * Age of the oldest waiting job, from the jobs at both ends of the queue: the next to be taken
   * and the last (a burst's tail). A job in the middle may be older; this is a lower bound.
   */
  async oldestWaitingSeconds(): Promise<number> {
    const ends = await Promise.all([this.queue.getJobs(['waiting', 'prioritized'], 0, 0, true), this.queue.getJobs(['waiting', 'prioritized'], 0, 0, false)]);
    const oldest = Math.min(...ends.flat().map((job) => job?.timestamp ?? Infinity));
    return Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0;
  }

  /** The job of a webhook still in Redis (queued or being processed), if any. */
  async find(webhookId: string): Promise<WebhookJob | null> {
    const job = await this.queue.getJob(webhookId);
    return job && job.name === JOB_PROCESS_WEBHOOK ? (job.data as WebhookJob) : null;
  }

  /**
   * Queues runs, with their webhook's priority (replays, asked for by a person, go first). The
   * job id is the run id, so a repeated dispatch does not queue a run twice.
   */
  async addRuns(runs: RunProcessJob[], priority = 1): Promise<void> {
    await this.queue.addBulk(runs.map((run) => ({ name: JOB_RUN_PROCESS, data: run, opts: { jobId: `run-${run.runId}`, priority } })));
  }

  /**
   * Queues a batch of a bulk replay. The id names the batch by its position, so a batch run
   * twice (a worker died after queueing its successor) does not queue the next one twice.
   */
  async addReplayBatch(batch: ReplayBatchJob): Promise<void> {
    await this.queue.add(JOB_REPLAY_BATCH, batch, { jobId: `replay-${batch.replayId}-${batch.position}`, priority: 1 });
  }

  /**
   * Queues instances claimed to run again. The id names the instance and the claim (its seq),
   * so a claim's job is queued once however often it is asked for (the sweeper asks again).
   */
  async addResumes(jobs: InstanceJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((job) => ({ name: JOB_RESUME_INSTANCE, data: job, opts: { jobId: `resume-${job.instanceId}-${job.seq}`, priority: 1 } })),
    );
  }

  /**
   * Arms the timers of waiting instances: a delayed job each, due when the instance is. Named by
   * instance and seq, so re-arming one that Redis still holds adds nothing.
   */
  async addWakes(wakes: Array<InstanceJob & { at: Date }>): Promise<void> {
    if (wakes.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      wakes.map(({ at, ...job }) => ({
        name: JOB_WAKE_INSTANCE,
        data: { ...job, dueAt: at.toISOString() },
        opts: { jobId: `wake-${job.instanceId}-${job.seq}`, delay: Math.max(0, at.getTime() - now), priority: 1 },
      })),
    );
  }

  /**
   * The schedule of a tenant's process: a BullMQ job scheduler, which makes one job per tick
   * however many workers run. Upserting an unchanged schedule keeps its next tick.
   */
  async upsertSchedule(job: ScheduledRunJob, cron: string, timezone: string): Promise<void> {
    await this.queue.upsertJobScheduler(scheduleId(job), { pattern: cron, tz: timezone }, { name: JOB_SCHEDULED_RUN, data: job, opts: { priority: 1 } });
  }

  async removeSchedule(job: ScheduledRunJob): Promise<void> {
    await this.queue.removeJobScheduler(scheduleId(job));
  }

  /** Every process schedule there is, of every tenant. */
  async schedules(): Promise<ScheduledRunJob[]> {
    const all = await this.queue.getJobSchedulers(0, -1);
    return all.flatMap((scheduler) => {
      const data = scheduler.template?.data as ScheduledRunJob | undefined;
      return scheduler.name === JOB_SCHEDULED_RUN && data?.tenantId && data.processId ? [{ tenantId: data.tenantId, processId: data.processId }] : [];
    });
  }

  /**
   * Resolves once Redis holds the job; otherwise a 503 error with Retry-After. With a delivery
   * id, a repeat within the idempotency window adds nothing and answers the first webhook's id
   * (Redis decides atomically, so two repeats at once cannot both be queued).
   */
  async add(job: WebhookJob, deliveryId?: string): Promise<string> {
    try {
      const deduplication = deliveryId ? { id: deliveryId, ttl: this.idempotencyWindowMs } : undefined;
      const priority = this.fairShare.priority(job.tenantId);
      const added = await this.queue.add(JOB_PROCESS_WEBHOOK, job, { jobId: job.webhookId, deduplication, priority });
      return added.id ?? job.webhookId;
    } catch (error) {
      this.logger.warn(`Webhook ${job.webhookId} not queued: ${(error as Error).message}`);
      throw new AppError(ErrorCode.QueueUnavailable, 'The webhook queue is unavailable; send the webhook again later', {
        'Retry-After': RETRY_AFTER_SECONDS,
      });
    }
  }
}

function scheduleId(job: ScheduledRunJob): string {
  return `schedule:${job.tenantId}:${job.processId}`;
}
