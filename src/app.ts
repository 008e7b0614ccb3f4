import 'reflect-metadata';
import { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { ErrorFilter } from './common/error.filter.js';
import { serviceLogger } from './common/json-logger.js';
import { answerRequestIds, requestIdOf } from './common/request-id.js';
import type { AppConfig } from './config/config.js';
import { registerBodyParsers } from './ingestion/body-parsers.js';
import { registerMethodNotAllowed } from './ingestion/method-not-allowed.js';
import { setUpOpenApi } from './admin/openapi.js';
import { mountQueueDashboard } from './operations/queue-dashboard.js';

export interface StartOptions {
  logger?: LoggerService | LogLevel[] | false;
}

export interface RunningService {
  app: INestApplicationContext;
  /** The address the HTTP API listens on, when the role serves HTTP. */
  url?: string;
  close(): Promise<void>;
}

/** Starts the service for config.role. Used by main.ts and by the end-to-end tests alike. */
export async function startService(config: AppConfig, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? serviceLogger(config);
  if (config.role === 'worker') {
    const app = await NestFactory.createApplicationContext(AppModule.forRole(config), { logger, abortOnError: false });
    await app.init();
    return { app, close: () => app.close() };
  }
  // Long enough for any key or object name, so their own checks answer (401/404), not a 414.
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    logger: false,
    genReqId: requestIdOf,
    routerOptions: { maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRole(config), adapter, {
    logger,
    bodyParser: false,
    // Errors at start are thrown to the caller (main.ts prints them), not turned into process.exit.
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  await registerBodyParsers(fastify, { maxBodyBytes: config.maxBodyBytes });
  registerMethodNotAllowed(fastify);
  answerRequestIds(fastify);
  app.useGlobalFilters(new ErrorFilter());
  setUpOpenApi(app, config.openApiUi);
  if (config.queueDashboard) await mountQueueDashboard(app, fastify);
  await app.listen(config.port, config.host);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
