import { Processor } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { DriftModule } from '../drift/drift.module.js';
import { EngineModule } from '../engine/engine.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { DispatchModule } from './dispatch.module.js';
import { QueueModule } from './queue.module.js';
import { WebhookJobsConsumer, workerOptions } from './webhook-jobs.consumer.js';
import { WebhookRunnerService } from './webhook-runner.service.js';
import { RetentionService } from './retention.service.js';
import { InstanceWaits } from './instance-waits.service.js';
import { CorrelationService } from './correlation.service.js';
import { InstanceResumer } from './instance-resumer.service.js';
import { TimerSweeper } from './timer-sweeper.service.js';
import { ScheduledRuns } from './scheduled-runs.service.js';
import { ProcessCalls } from './process-calls.service.js';
import { RecordTriggers } from './record-triggers.service.js';
import { InstanceLimits } from './instance-limits.service.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';

/** The consumer side: a BullMQ worker that hands each webhook job to the pipeline. */
@Module({})
export class WorkerModule {
  static forConfig(config: AppConfig): DynamicModule {
    // @Processor names the queue the worker consumes and the worker's options; both come from the
    // validated configuration, so it is applied here, once per application, to a class of its own.
    const consumer = class extends WebhookJobsConsumer {};
    Processor(config.queueName, workerOptions(config))(consumer);
    return {
      module: WorkerModule,
      imports: [EngineModule, WebhooksModule, DispatchModule, QueueModule, DriftModule, CatalogueModule],
      // The runner lives here, not in DispatchModule: the admin API dispatches replays but runs nothing.
      providers: [
        consumer,
        WebhookRunnerService,
        RetentionService,
        InstanceWaits,
        CorrelationService,
        InstanceResumer,
        TimerSweeper,
        ScheduledRuns,
        ProcessCalls,
        RecordTriggers,
        InstanceLimits,
      ],
    };
  }
}
