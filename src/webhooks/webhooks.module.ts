import { Module } from '@nestjs/common';
import { WebhookLogService } from './webhook-log.service.js';
import { WebhookStatsRepository } from './webhook-stats.repository.js';
import { WebhookStatsService } from './webhook-stats.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { ReplaysRepository } from './replays.repository.js';

@Module({
  providers: [WebhooksRepository, WebhookLogService, WebhookStatsRepository, WebhookStatsService, ReplaysRepository],
  exports: [WebhookLogService, WebhookStatsService, ReplaysRepository],
})
export class WebhooksModule {}
