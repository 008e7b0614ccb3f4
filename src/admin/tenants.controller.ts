import { Body, Controller, Get, Param, Patch, Post, Req, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard, type AuthenticatedRequest } from '../auth/api-auth.guard.js';
import { OAuthService } from '../auth/oauth.service.js';
import { RequireScope } from '../auth/scopes.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { TenantsService, type TenantView } from '../tenants/tenants.service.js';
import { CreateClientDto, CreateTenantDto, UpdateTenantDto } from './dto.js';

@ApiTags('tenants')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly oauth: OAuthService,
  ) {}

  @Post('tenants')
  @RequireScope('platform')
  @ApiOperation({ summary: 'Create a tenant with the default catalogue (platform clients)' })
  create(@Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body.name);
  }

  @Get('tenants')
  @RequireScope('tenant:read')
  @ApiOperation({ summary: 'The tenants this client may see' })
  async list(@Req() request: AuthenticatedRequest): Promise<TenantView[]> {
    const { principal } = request;
    if (principal.kind === 'platform') return this.tenants.list();
    if (principal.tenantScopes) return (await this.tenants.list()).filter((tenant) => principal.tenantScopes![tenant.id]);
    return [await this.tenants.get(principal.tenantId!)];
  }

  @Get('tenants/:tenantId')
  @RequireScope('tenant:read')
  @ApiOperation({ summary: 'One tenant: name and rate limit' })
  get(@Param('tenantId') tenantId: string): Promise<TenantView> {
    return this.tenants.get(tenantId);
  }

  @Patch('tenants/:tenantId')
  @RequireScope('platform')
  @ApiOperation({ summary: "Set the tenant's rate limit: webhooks per minute of each key without its own (platform clients)" })
  update(@Param('tenantId') tenantId: string, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return this.tenants.setRateLimit(tenantId, body.rateLimitPerMinute);
  }

  @Post('clients')
  @RequireScope('platform')
  @ApiOperation({ summary: 'Create an OAuth client; the secret is shown once (platform clients)' })
  createClient(@Body() body: CreateClientDto): Promise<{ clientId: string; clientSecret: string }> {
    return this.oauth.createClient(body.kind, body.tenantId ?? null, body.scopes ?? []);
  }
}
