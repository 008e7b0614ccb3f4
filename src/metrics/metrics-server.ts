import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { bearerOf, isMetricsToken } from './metrics-auth.js';
import { MetricsService } from './metrics.service.js';

/**
 * GET /metrics on METRICS_PORT, for worker-only processes, which serve no other HTTP. Only the
 * METRICS_TOKEN is accepted here (the worker does not verify admin tokens).
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server: Server | null = null;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role !== 'worker' || this.config.metricsPort === 0) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      const bearer = bearerOf(request.headers.authorization);
      if (!bearer || !isMetricsToken(bearer, this.config.metricsToken)) {
        response.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="hookflow"' }).end();
        return;
      }
      this.metrics.render().then(
        (text) => response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.metricsPort, this.config.host, () => resolve());
    });
    this.logger.log(`Metrics on port ${this.config.metricsPort}`);
  }

  async onModuleDestroy(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
