import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { ParameterDriftService, type DriftEventView } from '../drift/parameter-drift.service.js';

@ApiTags('api keys')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@Controller('api/tenants/:tenantId')
export class DriftController {
  constructor(private readonly drift: ParameterDriftService) {}

  @Get('api-keys/:id/drift')
  @RequireScope('keys:read')
  @ApiOperation({ summary: "Schema drift of a key's webhooks: new parameters no process maps, mapped ones that stopped arriving" })
  forKey(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<DriftEventView[]> {
    return this.drift.listForKey(tenantId, id);
  }

  @Get('drift')
  @RequireScope('keys:read')
  @ApiOperation({ summary: 'Open schema-drift events of every key of the tenant, newest first' })
  open(@Param('tenantId') tenantId: string): Promise<DriftEventView[]> {
    return this.drift.listOpen(tenantId);
  }
}
