import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { ProcessRunsRepository } from '../engine/process-runs.repository.js';

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
    private readonly runs: ProcessRunsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async purge(now = Date.now()): Promise<number> {
    let deleted = 0;
    for (const [status, days] of Object.entries(this.config.retentionDays) as Array<['processed' | 'received' | 'failed', number]>) {
      const before = new Date(now - days * DAY_MS);
      for (;;) {
        // Runs first: a purge cut short never leaves runs of a deleted webhook behind.
        const ids = await this.log.oldest(status, before, BATCH);
        if (ids.length === 0) break;
        await this.runs.deleteByWebhooks(ids);
        await this.log.remove(ids);
        deleted += ids.length;
      }
    }
    if (deleted > 0) this.logger.log(`Deleted ${deleted} webhooks past their retention period`);
    return deleted;
  }
}
