import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { ConfigModule } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { DatabaseModule } from '../database/database.module.js';
import { EngineModule } from '../engine/engine.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { DispatchModule } from '../pipeline/dispatch.module.js';

/** The services the command line calls: the same as the service's, without HTTP (and without the queue unless asked for). */
@Module({})
export class CliModule {
  /** `queue`: with the webhooks queue too (Redis), for the few commands that queue jobs. */
  static forConfig(config: AppConfig, options: { queue?: boolean } = {}): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        TenantsModule,
        CatalogueModule,
        WebhooksModule,
        EngineModule,
        AuthModule,
        SecretsModule,
        ...(options.queue ? [DispatchModule] : []),
      ],
    };
  }
}
