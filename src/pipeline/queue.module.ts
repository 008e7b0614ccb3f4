import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { queueConnection } from '../common/redis-connection.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WEBHOOKS_QUEUE } from './job-contracts.js';
import { webhookJobOptions } from './job-options.js';
import { PipelineEvents } from './pipeline-events.js';
import { ENQUEUE_TIMEOUT_MS, WebhookQueue } from './webhook-queue.js';

/**
 * The webhooks queue (through @nestjs/bullmq) and its one producer, for the API and the worker.
 * Workers are registered by the worker itself once the application has started
 * (manualRegistration), so a start that fails leaves no blocking connection behind.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      // The queue's connection (the worker brings its own). Fail fast while Redis is away: a
      // command must not wait in a client-side buffer and run after the sender has already been
      // told 503 (it would then be queued twice). Each command gives up after ENQUEUE_TIMEOUT_MS,
      // so the sender hears 503 instead of waiting. (Auto-pipelining was measured and left off: it
      // costs a tick per command.)
      useFactory: (config: AppConfig) => ({
        connection: queueConnection(config, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: ENQUEUE_TIMEOUT_MS }),
        prefix: config.redisPrefix,
      }),
      extraOptions: { manualRegistration: true },
    }),
    BullModule.registerQueueAsync({
      name: WEBHOOKS_QUEUE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        name: config.queueName,
        // A cluster client given to the queue is not closed with it (see queueConnection).
        forceDisconnectOnShutdown: true,
        defaultJobOptions: webhookJobOptions(config),
      }),
    }),
  ],
  providers: [WebhookQueue, PipelineEvents],
  exports: [WebhookQueue, PipelineEvents],
})
export class QueueModule {}
