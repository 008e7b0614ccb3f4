import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { EngineModule } from '../engine/engine.module.js';
import { ProcessWebhookProcessor } from './process-webhook.processor.js';
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
  ],
  providers: [ProcessWebhookProcessor],
})
export class WorkerModule {}
