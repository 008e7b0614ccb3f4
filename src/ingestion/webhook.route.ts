import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError, ErrorCode } from '../common/app-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { TenantRequest } from './tenant-request.js';
import { IngestionService } from './ingestion.service.js';

export const WEBHOOK_PATH = '/webhooks/:apiKey';

/** The 202 answer, serialised by Fastify from this schema rather than by JSON.stringify. */
const ACCEPTED = {
  type: 'object',
  properties: { id: { type: 'string' }, status: { type: 'string' }, duplicate: { type: 'boolean' } },
  required: ['id', 'status'],
} as const;

/**
 * POST /webhooks/:apiKey, the hot path, as a plain Fastify route: the work is IngestionService's,
 * but the request skips Nest's per-request pipeline (execution context, parameter factories,
 * interceptor and pipe chains), of which this route needs nothing. Errors still go through the
 * service's error filter, as Nest installs it as Fastify's error handler. Documented in the
 * OpenAPI document by openapi.ts.
 */
@Injectable()
export class WebhookRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingestion: IngestionService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.post<{ Params: { apiKey: string } }>(
      WEBHOOK_PATH,
      {
        schema: { response: { 202: ACCEPTED } },
        onResponse: (request: TenantRequest, reply: FastifyReply, done: () => void) => {
          this.metrics.webhookAnswered(request.tenantId, reply.statusCode);
          done();
        },
      },
      async (request, reply) => {
        // Fastify matches an empty parameter; without a key there is no webhook URL here.
        if (request.params.apiKey === '') throw new AppError(ErrorCode.NotFound, 'No API key in the URL: send webhooks to /webhooks/<API_KEY>');
        const accepted = await this.ingestion.receive(request.params.apiKey, request);
        return reply.code(202).send(accepted);
      },
    );
  }
}
