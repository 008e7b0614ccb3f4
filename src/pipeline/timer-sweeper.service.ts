import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { WebhookQueue } from './webhook-queue.js';

/** Instances re-armed per sweep at most; the next sweep takes the rest. */
const SWEEP_BATCH = 5000;
/** A subscription no instance waits at is forgotten this long after an instance last parked there. */
const SUBSCRIPTION_GRACE_MS = 3_600_000;

/**
 * The database is the record of waiting instances; Redis only holds their timers and the jobs
 * of claimed ones. Every TIMER_SWEEP_MS each worker re-arms, from the database, the timers due
 * before its next sweep and the jobs of instances claimed but not moved for a while: those Redis
 * still holds are not added twice (job ids), those it lost (a flush, a restart without its
 * files, a crash between a claim and its job) are. So a waiting instance resumes at most a
 * sweep late whatever happens to Redis.
 */
@Injectable()
export class TimerSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TimerSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;

  constructor(
    private readonly instances: ProcessInstancesRepository,
    private readonly correlation: CorrelationRepository,
    private readonly queue: WebhookQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .catch((error: Error) => this.logger.warn(`Sweep of waiting instances failed: ${error.message}`))
        .finally(() => (this.sweeping = null));
    }, this.config.timerSweepMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** One sweep; answers how many timers and jobs it asked Redis for (most already there). */
  async sweep(now = Date.now()): Promise<{ timers: number; resumptions: number }> {
    const due = await this.instances.due(new Date(now + 2 * this.config.timerSweepMs), SWEEP_BATCH);
    await this.queue.addWakes(due.map((instance) => ({ tenantId: instance.tenantId, instanceId: instance.id, seq: instance.seq, at: instance.wakeAt! })));
    // Claimed, but neither stored nor moved since: longer than a job's lock, so no worker holds it.
    const stalled = await this.instances.stalled(new Date(now - Math.max(2 * this.config.timerSweepMs, 2 * this.config.workerLockMs)), SWEEP_BATCH);
    await this.queue.addResumes(stalled.map((instance) => ({ tenantId: instance.tenantId, instanceId: instance.id, seq: instance.seq })));
    await this.correlation.pruneSubscriptions(new Date(now - SUBSCRIPTION_GRACE_MS));
    return { timers: due.length, resumptions: stalled.length };
  }
}
