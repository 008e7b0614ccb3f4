import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { EffectiveProcesses } from '../engine/effective-processes.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { ScheduledRunJob } from './job-contracts.js';
import { WebhookQueue } from './webhook-queue.js';

/**
 * Keeps one BullMQ job scheduler per tenant and active process with a schedule trigger, and none
 * for any other. Synced for a tenant right after its processes change through the admin API, and
 * for every tenant when a worker starts and every SCHEDULE_SYNC_MS (changes made with the CLI,
 * base definitions shipped with a schedule, processes deleted).
 */
@Injectable()
export class ScheduleSync implements OnModuleDestroy {
  private readonly logger = new Logger(ScheduleSync.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly processes: EffectiveProcesses,
    private readonly tenants: TenantsService,
    private readonly queue: WebhookQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** In workers: sync now and then every SCHEDULE_SYNC_MS. */
  start(): Promise<void> {
    this.timer = setInterval(
      () => void this.syncAll().catch((error: Error) => this.logger.warn(`Schedules not synced: ${error.message}`)),
      this.config.scheduleSyncMs,
    );
    this.timer.unref();
    return this.syncAll();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The tenant's schedules as its processes are now; answers those it keeps. */
  async syncTenant(tenantId: string): Promise<ScheduledRunJob[]> {
    const kept: ScheduledRunJob[] = [];
    for (const { process, active } of await this.processes.forTenant(tenantId)) {
      const { id, trigger } = process.definition;
      const job = { tenantId, processId: id };
      if (active && trigger.type === 'schedule') {
        await this.queue.upsertSchedule(job, trigger.cron, trigger.timezone ?? 'UTC');
        kept.push(job);
      } else await this.queue.removeSchedule(job);
    }
    return kept;
  }

  async syncAll(): Promise<void> {
    const kept = new Set<string>();
    for (const tenant of await this.tenants.list()) {
      for (const job of await this.syncTenant(tenant.id)) kept.add(`${job.tenantId}\n${job.processId}`);
    }
    // Schedules of deleted tenants or processes.
    for (const job of await this.queue.schedules()) {
      if (!kept.has(`${job.tenantId}\n${job.processId}`)) await this.queue.removeSchedule(job);
    }
  }
}
