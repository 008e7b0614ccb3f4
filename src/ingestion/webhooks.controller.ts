import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IngestionService, type Accepted, type Receipt } from './ingestion.service.js';

/** The webhook URL given to third-party apps. */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post(':apiKey')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a webhook',
    description:
      'JSON, multipart/form-data or application/x-www-form-urlencoded parameters. 202 once queued. A webhook-id or ' +
      'Idempotency-Key header deduplicates repeats (answered with the first id and "duplicate": true).',
  })
  @ApiConsumes('application/json', 'multipart/form-data', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { EntityName: 'Lead', Contact: 'New user', Email: 'new_user@gmail.com' } } })
  receive(@Param('apiKey') apiKey: string, @Req() request: FastifyRequest): Promise<Accepted> {
    return this.ingestion.receive(apiKey, request);
  }

  @Get(':apiKey/receipts/:webhookId')
  @ApiOperation({ summary: 'What became of a webhook: status, record ids, a plain-language reason (only for the key that sent it)' })
  receipt(@Param('apiKey') apiKey: string, @Param('webhookId') webhookId: string): Promise<Receipt> {
    return this.ingestion.receipt(apiKey, webhookId);
  }
}
