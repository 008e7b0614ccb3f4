import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.js';
import { DatabaseModule } from './database/database.module.js';
import { AdminModule } from './admin/admin.module.js';
import { ConsoleModule } from './console/console.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { WorkerModule } from './pipeline/worker.module.js';

/** The service for one ROLE: the HTTP API, the queue worker, or both in one process. */
@Module({})
export class AppModule {
  static forRole(config: AppConfig): DynamicModule {
    const imports = [ConfigModule.forRoot(config), DatabaseModule, MetricsModule.forRole(config.role)];
    if (config.role !== 'worker') imports.push(IngestionModule, AdminModule, ConsoleModule, HealthModule);
    if (config.role !== 'api') imports.push(WorkerModule.forConfig(config));
    return { module: AppModule, imports };
  }
}
