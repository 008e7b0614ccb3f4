import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { ApiKeysService, type ApiKeyView, type CreatedApiKey } from '../tenants/api-keys.service.js';
import { CreateApiKeyDto, SignatureDto, UpdateApiKeyDto } from './dto.js';
import { SCHEME_DEFINITIONS, type SignatureConfig } from '../tenants/signature-schemes/index.js';

const SCHEME_LABELS = SCHEME_DEFINITIONS.map((definition) => definition.label).join(', ');

@ApiTags('api keys')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @RequireScope('keys:write')
  @ApiOperation({ summary: 'Create a key for a webhook source; the key is shown once' })
  create(@Param('tenantId') tenantId: string, @Body() body: CreateApiKeyDto): Promise<CreatedApiKey> {
    return this.keys.create(tenantId, body.name);
  }

  @Get()
  @RequireScope('keys:read')
  @ApiOperation({ summary: 'Keys without secrets: name, created, last used, revoked' })
  list(@Param('tenantId') tenantId: string): Promise<ApiKeyView[]> {
    return this.keys.list(tenantId);
  }

  @Patch(':id')
  @RequireScope('keys:write')
  @ApiOperation({ summary: "Set the key's rate limit (webhooks per minute, at most its tenant's; null: the tenant's)" })
  update(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: UpdateApiKeyDto): Promise<ApiKeyView> {
    return this.keys.setRateLimit(tenantId, id, body.rateLimitPerMinute);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @RequireScope('keys:write')
  @ApiOperation({ summary: 'A new key; the old one keeps working for API_KEY_GRACE_SECONDS' })
  rotate(@Param('tenantId') tenantId: string, @Param('id') id: string) {
    return this.keys.rotate(tenantId, id);
  }

  @Put(':id/signature')
  @RequireScope('keys:write')
  @ApiOperation({ summary: `Require webhooks sent with this key to be signed (${SCHEME_LABELS})` })
  setSignature(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: SignatureDto): Promise<ApiKeyView> {
    return this.keys.setSignature(tenantId, id, body as SignatureConfig);
  }

  @Delete(':id/signature')
  @RequireScope('keys:write')
  @ApiOperation({ summary: 'Stop requiring signatures for this key' })
  removeSignature(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ApiKeyView> {
    return this.keys.setSignature(tenantId, id, null);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('keys:write')
  @ApiOperation({ summary: 'Revoke a key at once' })
  async revoke(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(tenantId, id);
  }
}
