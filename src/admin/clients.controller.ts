import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors, ApiErrors } from '../common/api-docs.decorator.js';
import { ErrorCode } from '../common/app-error.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { OAuthService, type ClientView } from '../auth/oauth.service.js';
import { RequireScope } from '../auth/scopes.js';

/** Listing, rotating and revoking OAuth clients (creating them is POST /api/clients). Platform only. */
@ApiTags('clients')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@Controller('api/clients')
export class ClientsController {
  constructor(private readonly oauth: OAuthService) {}

  @Get()
  @RequireScope('platform')
  @ApiOperation({ summary: 'Every OAuth client, platform and tenant, without secrets (platform clients)' })
  list(): Promise<ClientView[]> {
    return this.oauth.listClients();
  }

  @Post(':clientId/rotate')
  @HttpCode(200)
  @RequireScope('platform')
  @ApiErrors(ErrorCode.Conflict)
  @ApiOkResponse({
    description: 'The new secret: shown this once, stored only as a hash',
    schema: { type: 'object', required: ['clientId', 'clientSecret'], properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' } } },
  })
  @ApiOperation({
    summary: "A new secret, shown once; the old secret and the client's tokens stop working within API_KEY_CACHE_MS (platform clients)",
  })
  rotate(@Param('clientId') clientId: string): Promise<{ clientId: string; clientSecret: string }> {
    return this.oauth.rotateClient(clientId);
  }

  @Post(':clientId/revoke')
  @HttpCode(200)
  @RequireScope('platform')
  @ApiOperation({ summary: 'Revoke a client: no more tokens, and its tokens stop working within API_KEY_CACHE_MS (platform clients)' })
  revoke(@Param('clientId') clientId: string): Promise<ClientView> {
    return this.oauth.revokeClient(clientId);
  }
}
