import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { EngineModule } from '../engine/engine.module.js';
import { WebhookRunnerService } from '../engine/webhook-runner.service.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ProcessWebhookProcessor } from './process-webhook.processor.js';
import { DispatchModule } from './dispatch.module.js';
import { QueueModule } from './queue.module.js';
import { WEBHOOKS_QUEUE } from './queue.constants.js';

/** The consumer side: a BullMQ worker that hands each webhook job to the engine. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Blocking worker connections must retry forever, or a Redis restart stops the worker.
        connection: { ...config.redis, maxRetriesPerRequest: null },
        prefix: config.redisPrefix,
      }),
    }),
    BullModule.registerQueue({ name: WEBHOOKS_QUEUE }),
    EngineModule,
    WebhooksModule,
    DispatchModule,
    QueueModule,
  ],
  // The runner lives here, not in EngineModule: it needs the queue, which the CLI does not start.
  providers: [ProcessWebhookProcessor, WebhookRunnerService],
})
export class WorkerModule {}
