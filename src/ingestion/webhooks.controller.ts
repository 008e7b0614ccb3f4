import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IngestionService, type Accepted } from './ingestion.service.js';

/** The webhook URL given to third-party apps. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post(':apiKey')
  @HttpCode(202)
  receive(@Param('apiKey') apiKey: string, @Req() request: FastifyRequest): Promise<Accepted> {
    return this.ingestion.receive(apiKey, request);
  }
}
