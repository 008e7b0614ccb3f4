import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { TenantSecretsService, type SecretView } from '../secrets/tenant-secrets.service.js';
import { SetSecretDto } from './dto.js';

@ApiTags('secrets')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId/secrets')
export class SecretsController {
  constructor(private readonly secrets: TenantSecretsService) {}

  @Get()
  @RequireScope('secrets:read')
  @ApiOperation({ summary: "The tenant's secrets by name and last change; values are never shown" })
  list(@Param('tenantId') tenantId: string): Promise<SecretView[]> {
    return this.secrets.list(tenantId);
  }

  @Put(':name')
  @RequireScope('secrets:write')
  @ApiOperation({ summary: 'Create or replace a secret that processes reference as {"secret": "<name>"}' })
  set(@Param('tenantId') tenantId: string, @Param('name') name: string, @Body() body: SetSecretDto): Promise<SecretView> {
    return this.secrets.set(tenantId, name, body.value);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireScope('secrets:write')
  @ApiOperation({ summary: 'Delete a secret; processes that use it then fail at that step' })
  async delete(@Param('tenantId') tenantId: string, @Param('name') name: string): Promise<void> {
    await this.secrets.delete(tenantId, name);
  }
}
