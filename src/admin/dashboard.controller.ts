import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { WebhookQueue } from '../pipeline/webhook-queue.js';
import { WebhookStatsService, type WebhookStats } from '../webhooks/webhook-stats.service.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { InstancesService } from '../engine/instances.service.js';
import { TasksService } from '../engine/tasks.service.js';

@ApiTags('dashboard')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@Controller('api/tenants/:tenantId/stats')
export class DashboardController {
  constructor(
    private readonly stats: WebhookStatsService,
    private readonly tenants: TenantsService,
    private readonly queue: WebhookQueue,
    private readonly instances: InstancesService,
    private readonly tasks: TasksService,
  ) {}

  @Get()
  @RequireScope('webhooks:read')
  @ApiOperation({
    summary:
      "Webhooks by status per hour, failures of the last 24 h, processing rate, the tenant's queued webhooks, its waiting and failed process instances, its open tasks and the queue depth (all tenants)",
  })
  @ApiQuery({ name: 'hours', required: false, description: '1-720, default 24' })
  async get(
    @Param('tenantId') tenantId: string,
    @Query('hours') hours?: string,
  ): Promise<
    WebhookStats & { queue: { waiting: number; active: number; delayed: number }; instances: { waiting: number; failed: number }; tasks: { open: number } }
  > {
    await this.tenants.get(tenantId);
    const { waiting, active, delayed } = await this.queue.counts();
    const instances = await this.instances.counts(tenantId);
    const tasks = { open: await this.tasks.countOpen(tenantId) };
    return { ...(await this.stats.forTenant(tenantId, hoursParam(hours))), queue: { waiting, active, delayed }, instances, tasks };
  }
}

function hoursParam(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 24;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 720) {
    throw new AppError(ErrorCode.InvalidArgument, `hours: "${raw}" must be a whole number from 1 to 720`);
  }
  return value;
}
