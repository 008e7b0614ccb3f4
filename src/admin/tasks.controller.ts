import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard, type AuthenticatedRequest } from '../auth/api-auth.guard.js';
import { RequireScope, type Principal } from '../auth/scopes.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { TASK_STATUSES } from '../engine/approval-task.entity.js';
import { TasksService, type TaskView } from '../engine/tasks.service.js';
import { ApprovalTasks, type Decision } from '../pipeline/approval-tasks.service.js';
import { TaskDecisionDto } from './dto.js';
import { limitParam, oneOfParam } from './query.js';

/** The Tasks inbox: user tasks of wait-for-approval steps, and the decisions on them. */
@ApiTags('tasks')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly approvals: ApprovalTasks,
  ) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({ summary: 'User tasks, newest first (status=open: the inbox)' })
  @ApiQuery({ name: 'status', required: false, enum: TASK_STATUSES })
  @ApiQuery({ name: 'processId', required: false })
  @ApiQuery({ name: 'instanceId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 50' })
  list(@Param('tenantId') tenantId: string, @Query() query: Record<string, string | undefined>): Promise<TaskView[]> {
    return this.tasks.list(
      tenantId,
      { status: oneOfParam('status', query.status, TASK_STATUSES), processId: query.processId || undefined, instanceId: query.instanceId || undefined },
      limitParam(query.limit, 50, 500),
    );
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({ summary: 'One task: its title, details, and the decision on it' })
  get(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<TaskView> {
    return this.tasks.get(tenantId, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireScope('tasks:write')
  @ApiOperation({ summary: 'Approve an open task: its instance runs on with { decision: "approved", by, at, comment }; 409 CONFLICT once decided' })
  approve(
    @Param('tenantId') tenantId: string,
    @Param('id') id: string,
    @Body() body: TaskDecisionDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<TaskView> {
    return this.decide(tenantId, id, 'approved', body, request.principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireScope('tasks:write')
  @ApiOperation({ summary: 'Reject an open task: its instance runs on with { decision: "rejected", by, at, comment }; 409 CONFLICT once decided' })
  reject(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: TaskDecisionDto, @Req() request: AuthenticatedRequest): Promise<TaskView> {
    return this.decide(tenantId, id, 'rejected', body, request.principal);
  }

  private decide(tenantId: string, id: string, decision: Decision, body: TaskDecisionDto, principal: Principal): Promise<TaskView> {
    return this.approvals.decide(tenantId, id, decision, deciderName(principal), body.comment?.trim() || null);
  }
}

/** Who decided, as the step output names them: a console user's e-mail, or the OAuth client's id. */
function deciderName(principal: Principal): string {
  return principal.clientId.replace(/^user:/, '');
}
