import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module.js';
import { WebhookRunnerService } from '../engine/webhook-runner.service.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { WebhookWorker } from './webhook-worker.js';
import { DispatchModule } from './dispatch.module.js';
import { QueueModule } from './queue.module.js';
import { DriftModule } from '../drift/drift.module.js';

/** The consumer side: a BullMQ worker that hands each webhook job to the engine. */
@Module({
  imports: [EngineModule, WebhooksModule, DispatchModule, QueueModule, DriftModule],
  // The runner lives here, not in EngineModule: it needs the queue, which the CLI does not start.
  providers: [WebhookWorker, WebhookRunnerService],
})
export class WorkerModule {}
