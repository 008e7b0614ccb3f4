import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { EngineModule } from '../engine/engine.module.js';
import { QueueModule } from '../pipeline/queue.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { CatalogueProtocolController } from './catalogue-protocol.controller.js';
import { CatalogueProtocolService } from './catalogue-protocol.service.js';
import { IngestionService } from './ingestion.service.js';
import { RateLimiter } from './rate-limiter.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhookRoute } from './webhook.route.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';

@Module({
  imports: [TenantsModule, CatalogueModule, QueueModule, WebhooksModule, EngineModule],
  controllers: [WebhooksController, CatalogueProtocolController],
  providers: [IngestionService, CatalogueProtocolService, RateLimiter, WebhookRoute],
})
export class IngestionModule {}
