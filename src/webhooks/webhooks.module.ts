import { TypeOrmModule } from '@nestjs/typeorm';
import { Webhook } from './webhook.entity.js';
import { Replay } from './replay.entity.js';
import { Module } from '@nestjs/common';
import { WebhookLogService } from './webhook-log.service.js';
import { WebhookStatsRepository } from './webhook-stats.repository.js';
import { WebhookStatsService } from './webhook-stats.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { ReplaysRepository } from './replays.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([Webhook, Replay])],
  providers: [WebhooksRepository, WebhookLogService, WebhookStatsRepository, WebhookStatsService, ReplaysRepository],
  exports: [WebhookLogService, WebhookStatsService, ReplaysRepository],
})
export class WebhooksModule {}
