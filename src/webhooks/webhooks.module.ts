import { Module } from '@nestjs/common';
import { WebhookLogService } from './webhook-log.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

@Module({
  providers: [WebhooksRepository, WebhookLogService],
  exports: [WebhookLogService],
})
export class WebhooksModule {}
