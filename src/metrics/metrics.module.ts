import { DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import type { Role } from '../config/config.js';
import { QueueModule } from '../pipeline/queue.module.js';
import { DriftModule } from '../drift/drift.module.js';
import { EngineModule } from '../engine/engine.module.js';
import { WorkerMetricsServer } from './metrics-server.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus metrics: /metrics on the API's port, or on METRICS_PORT in a worker-only process. */
@Global()
@Module({})
export class MetricsModule {
  static forRole(role: Role): DynamicModule {
    const http = role !== 'worker';
    return {
      module: MetricsModule,
      imports: [QueueModule, DriftModule, EngineModule, ...(http ? [AuthModule] : [])],
      controllers: http ? [MetricsController] : [],
      providers: [MetricsService, ...(http ? [] : [WorkerMetricsServer])],
      exports: [MetricsService],
    };
  }
}
