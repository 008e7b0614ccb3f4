import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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
  entities(@Param('apiKey') apiKey: string): Promise<EntitiesResponse> {
    return this.protocol.entities(apiKey);
  }

  @Post('get_entity_description/:apiKey/:entityName')
  async describe(
    @Param('apiKey') apiKey: string,
    @Param('entityName') entityName: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const description = await this.protocol.describe(apiKey, entityName);
    await reply.status(description.statusCode).send(description);
  }
}
