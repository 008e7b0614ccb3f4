import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { EngineModule } from '../engine/engine.module.js';
import { DispatchModule } from '../pipeline/dispatch.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { CatalogueController } from './catalogue.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { QueueModule } from '../pipeline/queue.module.js';
import { ProcessesController } from './processes.controller.js';
import { TenantsController } from './tenants.controller.js';
import { WebhookLogController } from './webhook-log.controller.js';
import { SecretsController } from './secrets.controller.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { DriftController } from './drift.controller.js';
import { DriftModule } from '../drift/drift.module.js';
import { ClientsController } from './clients.controller.js';
import { ColumnTypesController } from './column-types.controller.js';
import { StepTypesController } from './step-types.controller.js';
import { OAuthController } from './oauth.controller.js';
import { InstancesController } from './instances.controller.js';
import { TasksController } from './tasks.controller.js';
import { ExpressionsController } from './expressions.controller.js';

/** The HTTP admin API under /api and the OAuth token endpoint: thin controllers over the services of the other modules. */
@Module({
  imports: [AuthModule, TenantsModule, CatalogueModule, EngineModule, WebhooksModule, DispatchModule, QueueModule, SecretsModule, DriftModule],
  controllers: [
    OAuthController,
    ClientsController,
    TenantsController,
    ApiKeysController,
    CatalogueController,
    ColumnTypesController,
    StepTypesController,
    ProcessesController,
    ExpressionsController,
    WebhookLogController,
    InstancesController,
    TasksController,
    DashboardController,
    SecretsController,
    DriftController,
  ],
})
export class AdminModule {}
