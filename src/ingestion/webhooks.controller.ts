import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPublic } from '../common/api-docs.decorator.js';
import { ErrorCode } from '../common/app-error.js';
import { IngestionService, type Receipt } from './ingestion.service.js';

/** Receipts for senders; POST /webhooks/:apiKey itself is a plain Fastify route (webhook.route.ts). */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly ingestion: IngestionService) {}

  @Get(':apiKey/receipts/:webhookId')
  @ApiOperation({ summary: 'What became of a webhook: status, record ids, a plain-language reason (only for the key that sent it)' })
  @ApiPublic()
  @ApiOkResponse({ description: 'The receipt' })
  @ApiErrors(ErrorCode.InvalidApiKey, ErrorCode.NotFound)
  receipt(@Param('apiKey') apiKey: string, @Param('webhookId') webhookId: string): Promise<Receipt> {
    return this.ingestion.receipt(apiKey, webhookId);
  }
}
