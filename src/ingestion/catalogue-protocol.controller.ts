import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPublic } from '../common/api-docs.decorator.js';
import { ErrorCode } from '../common/app-error.js';
import type { FastifyReply } from 'fastify';
import { CatalogueProtocolService, type EntitiesResponse } from './catalogue-protocol.service.js';

/**
 * get_entities and get_entity_description of the reference protocol. The key in the URL
 * decides the tenant; an apiKey in the body, which the reference also sends, is not needed.
 */
@ApiTags('webhooks')
@Controller()
export class CatalogueProtocolController {
  constructor(private readonly protocol: CatalogueProtocolService) {}

  @Post('get_entities/:apiKey')
  @HttpCode(200)
  @ApiOperation({ summary: 'The objects of the Webhook entities lookup (reference protocol)' })
  @ApiPublic()
  @ApiOkResponse({ description: 'entities: name, caption and formId of each object' })
  @ApiErrors(ErrorCode.InvalidApiKey)
  entities(@Param('apiKey') apiKey: string): Promise<EntitiesResponse> {
    return this.protocol.entities(apiKey);
  }

  @Post('get_entity_description/:apiKey/:entityName')
  @ApiOperation({ summary: 'The columns of one object of the lookup (reference protocol)' })
  @ApiPublic()
  @ApiErrors(ErrorCode.InvalidApiKey)
  @ApiOkResponse({ description: 'value.entityModel: the name and the fields of the object' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: the object is not in the lookup; in the envelope of the reference protocol (value.isSuccess false)' })
  async describe(@Param('apiKey') apiKey: string, @Param('entityName') entityName: string, @Res() reply: FastifyReply): Promise<void> {
    const description = await this.protocol.describe(apiKey, entityName);
    await reply.status(description.statusCode).send(description);
  }
}
