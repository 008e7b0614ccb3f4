import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { QueueModule } from './queue.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { BulkReplaysService } from './bulk-replays.service.js';
import { InstanceControl } from './instance-control.service.js';
import { ScheduleSync } from './schedule-sync.service.js';
import { ApprovalTasks } from './approval-tasks.service.js';

/** Sending webhooks to their processes (new ones in the worker, replays from the admin API), and instances on. Needs Redis. */
@Module({
  imports: [EngineModule, WebhooksModule, QueueModule, TenantsModule],
  providers: [WebhookDispatcher, BulkReplaysService, InstanceControl, ScheduleSync, ApprovalTasks],
  exports: [WebhookDispatcher, BulkReplaysService, InstanceControl, ScheduleSync, ApprovalTasks],
})
export class DispatchModule {}
