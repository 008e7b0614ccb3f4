import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import type { InstanceStatus } from '../engine/instance-state.js';

const BATCH = 500;
const DAY_MS = 86_400_000;

/**
 * Deletes webhooks (their payloads) and the traces of their runs once they are older than the
 * retention period of their status (RETENTION_DAYS…). Records stay: they are the tenant's data.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly log: WebhookLogService,
    private readonly runs: ProcessInstancesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async purge(now = Date.now()): Promise<number> {
    let deleted = 0;
    for (const [status, days] of Object.entries(this.config.retentionDays) as Array<['processed' | 'received' | 'failed', number]>) {
      const before = new Date(now - days * DAY_MS);
      const skipped = new Set<string>();
      for (;;) {
        // Instances first: a purge cut short never leaves instances of a deleted webhook behind.
        // A webhook whose instance still waits or runs stays, with it (its payload is the
        // instance's `$`); it is looked at again in the next purge.
        const ids = (await this.log.oldest(status, before, BATCH + skipped.size)).filter((id) => !skipped.has(id));
        if (ids.length === 0) break;
        const kept = new Set(await this.runs.deleteByWebhooks(ids));
        for (const id of kept) skipped.add(id);
        const gone = ids.filter((id) => !kept.has(id));
        await this.log.remove(gone);
        deleted += gone.length;
      }
    }
    if (deleted > 0) this.logger.log(`Deleted ${deleted} webhooks past their retention period`);
    // Instances no webhook started: by the period of the webhook status they would give.
    const unattached: Array<[InstanceStatus[], number]> = [
      [['completed', 'skipped', 'cancelled'], this.config.retentionDays.processed],
      [['failed'], this.config.retentionDays.failed],
    ];
    for (const [statuses, days] of unattached) {
      while ((await this.runs.deleteUnattached(statuses, new Date(now - days * DAY_MS), BATCH)) === BATCH);
    }
    return deleted;
  }
}
