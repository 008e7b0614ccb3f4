import { Controller, Get, HttpCode, Param, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { InstancesService, type InstanceDetail, type InstanceDiagram, type InstanceView } from '../engine/instances.service.js';
import { InstanceControl } from '../pipeline/instance-control.service.js';
import { limitParam, oneOfParam, timeParam } from './query.js';

export const INSTANCE_STATUSES = ['running', 'waiting', 'completed', 'skipped', 'failed', 'cancelled'] as const;
const WAIT_KINDS = ['timer', 'webhook', 'approval', 'retry', 'process'] as const;

@ApiTags('process instances')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId/instances')
export class InstancesController {
  constructor(
    private readonly instances: InstancesService,
    private readonly control: InstanceControl,
  ) {}

  @Get()
  @RequireScope('webhooks:read')
  @ApiOperation({ summary: 'Process instances, newest first' })
  @ApiQuery({ name: 'status', required: false, enum: INSTANCE_STATUSES })
  @ApiQuery({ name: 'processId', required: false })
  @ApiQuery({ name: 'webhookId', required: false, description: 'The webhook that started them' })
  @ApiQuery({
    name: 'waitingFor',
    required: false,
    enum: WAIT_KINDS,
    description: 'Waiting instances waiting for a time, a webhook, a decision, a retry or a called instance',
  })
  @ApiQuery({ name: 'startedFrom', required: false, description: 'ISO 8601' })
  @ApiQuery({ name: 'startedTo', required: false, description: 'ISO 8601' })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 50' })
  list(@Param('tenantId') tenantId: string, @Query() query: Record<string, string | undefined>): Promise<InstanceView[]> {
    return this.instances.list(
      tenantId,
      {
        status: oneOfParam('status', query.status, INSTANCE_STATUSES),
        processId: query.processId || undefined,
        webhookId: query.webhookId || undefined,
        waitingFor: oneOfParam('waitingFor', query.waitingFor, WAIT_KINDS),
        startedFrom: timeParam('startedFrom', query.startedFrom),
        startedTo: timeParam('startedTo', query.startedTo),
      },
      limitParam(query.limit, 50, 500),
    );
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  @ApiOperation({ summary: 'One instance: its timeline (trace), what it waits for, its variables and step outputs' })
  get(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<InstanceDetail> {
    return this.instances.get(tenantId, id);
  }

  @Get(':id/diagram')
  @RequireScope('webhooks:read')
  @ApiOperation({
    summary:
      'The BPMN 2.0 document (xml) of the process version the instance ran, and by element id where it went: completed, waiting or failed (the operations view)',
  })
  diagram(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<InstanceDiagram> {
    return this.instances.diagram(tenantId, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScope('webhooks:write')
  @ApiOperation({ summary: 'Cancel a waiting, running or failed instance; 409 CONFLICT for one that has ended' })
  async cancel(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<InstanceDetail> {
    await this.control.cancel(tenantId, id);
    return this.instances.get(tenantId, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @RequireScope('webhooks:write')
  @ApiOperation({ summary: 'Run a failed instance again from the step that failed (the steps before it are not run again); 409 CONFLICT unless failed' })
  async retry(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<InstanceDetail> {
    await this.control.retry(tenantId, id);
    return this.instances.get(tenantId, id);
  }
}
