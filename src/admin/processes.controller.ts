import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards, UsePipes } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOAuth2, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { ApiAdminErrors, ApiErrors } from '../common/api-docs.decorator.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { ScheduleSync } from '../pipeline/schedule-sync.service.js';
import { DefinitionCompiler } from '../engine/definition-compiler.js';
import { DryRunService, type DryRunResult } from '../engine/dry-run.service.js';
import { InstancesService, type ElementCounts } from '../engine/instances.service.js';
import { ProcessBpmn } from '../engine/process-bpmn.service.js';
import { ProcessesService, type ProcessDetail, type ProcessView } from '../engine/processes.service.js';
import { WhatIfService, type WhatIfReport } from '../engine/what-if.service.js';
import { ProcessDefinitionDto, RollbackDto, TestDefinitionDto, TestProcessDto, ValidateDefinitionDto, WhatIfDto } from './dto.js';
import { timeParam } from './query.js';

/** The diagram's counts look this far back unless asked otherwise. */
const COUNTS_DAYS = 7;
const DAY_MS = 86_400_000;

/** ProcessView, for clients generated from the OpenAPI document. */
const PROCESS_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'name', 'source', 'version', 'active'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    source: { type: 'string', enum: ['base', 'override', 'custom'] },
    version: { type: 'integer' },
    active: { type: 'boolean' },
    baseChanged: {
      type: 'object',
      description: 'Only for an override whose base definition has a new version since the override was saved',
      required: ['from', 'to', 'message'],
      properties: { from: { type: 'integer' }, to: { type: 'integer' }, message: { type: 'string' } },
    },
  },
};

@ApiTags('processes')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId/processes')
export class ProcessesController {
  constructor(
    private readonly processes: ProcessesService,
    private readonly dryRun: DryRunService,
    private readonly whatIf: WhatIfService,
    private readonly compiler: DefinitionCompiler,
    private readonly schedules: ScheduleSync,
    private readonly bpmn: ProcessBpmn,
    private readonly instances: InstancesService,
  ) {}

  /** A change of the tenant's processes, then their schedules as they are after it. */
  private async synced<T>(tenantId: string, change: Promise<T>): Promise<T> {
    const result = await change;
    await this.schedules.syncTenant(tenantId);
    return result;
  }

  @Get()
  @RequireScope('processes:read')
  @ApiOperation({ summary: "The tenant's effective processes: base, override or custom; version; active" })
  @ApiOkResponse({ schema: { type: 'array', items: PROCESS_VIEW_SCHEMA } })
  list(@Param('tenantId') tenantId: string): Promise<ProcessView[]> {
    return this.processes.list(tenantId);
  }

  @Post()
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Create a custom process' })
  create(@Param('tenantId') tenantId: string, @Body() body: ProcessDefinitionDto): Promise<ProcessView> {
    return this.synced(tenantId, this.processes.create(tenantId, body.definition));
  }

  @Post('test')
  @HttpCode(200)
  @RequireScope('processes:read')
  @ApiOperation({
    summary:
      'Dry-run an unsaved definition against a payload: trace and would-be records, no side effects; 422 EXPRESSION_FAILED when an expression runs into a limit, 429 RATE_LIMITED past 2 dry runs at once per tenant',
  })
  testDraft(@Param('tenantId') tenantId: string, @Body() body: TestDefinitionDto): Promise<DryRunResult> {
    return this.dryRun.test(tenantId, body.definition, body.payload, undefined, body.waits);
  }

  @Post('validate')
  @HttpCode(200)
  @RequireScope('processes:read')
  @ApiOperation({ summary: 'Check a definition against the schema and step inputs; each problem names its JSON path' })
  validate(@Body() body: ValidateDefinitionDto): { valid: boolean; problems: Array<{ path: string; message: string }> } {
    const compiled = this.compiler.compile(body.definition);
    return compiled.ok ? { valid: true, problems: [] } : { valid: false, problems: compiled.problems };
  }

  @Post('what-if')
  @HttpCode(200)
  @RequireScope('processes:read')
  @ApiOperation({
    summary:
      'Dry-run a draft against stored webhooks (with the key each came with), next to what happened to each; stops after 10 s (complete: false), 429 RATE_LIMITED past 2 dry runs at once per tenant',
  })
  compare(@Param('tenantId') tenantId: string, @Body() body: WhatIfDto): Promise<WhatIfReport> {
    return this.whatIf.compare(tenantId, body.definition, {
      webhookIds: body.webhookIds,
      status: body.status,
      from: timeParam('from', body.from),
      to: timeParam('to', body.to),
      limit: body.limit,
    });
  }

  @Get(':id')
  @RequireScope('processes:read')
  @ApiOperation({ summary: 'The definition that runs, the base definition, the saved versions and, after a base upgrade, old base, new base and override' })
  get(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ProcessDetail> {
    return this.processes.get(tenantId, id);
  }

  @Put(':id')
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Override a base process, or save a new version of a custom one' })
  async save(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: ProcessDefinitionDto): Promise<ProcessView> {
    const current = await this.processes.get(tenantId, id);
    return this.synced(
      tenantId,
      current.source === 'custom' ? this.processes.update(tenantId, id, body.definition) : this.processes.override(tenantId, id, body.definition),
    );
  }

  @Get(':id/bpmn')
  @RequireScope('processes:read')
  @ApiProduces('application/xml')
  @ApiOperation({ summary: 'The definition that runs, as a BPMN 2.0 document with its diagram (opens in other BPMN tools)' })
  @ApiOkResponse({ description: 'BPMN 2.0 XML', schema: { type: 'string' } })
  async exportBpmn(@Param('tenantId') tenantId: string, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const xml = await this.bpmn.export(tenantId, id);
    // Set once there is a document: an error is answered as JSON, as everywhere.
    reply.type('application/xml; charset=utf-8');
    return xml;
  }

  @Put(':id/bpmn')
  @RequireScope('processes:write')
  @ApiConsumes('application/xml')
  @ApiBody({ description: 'BPMN 2.0 XML whose process id is :id', schema: { type: 'string' } })
  @ApiOperation({
    summary:
      "Save a BPMN document as the tenant's process: an override of a base process, a new version of a custom one, or a new custom process; an element the engine cannot run is refused (INVALID_DEFINITION, with its id and name)",
  })
  importBpmn(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: unknown): Promise<ProcessView> {
    return this.synced(tenantId, this.bpmn.import(tenantId, body, id));
  }

  @Get(':id/element-counts')
  @RequireScope('processes:read')
  @ApiOperation({
    summary:
      "Per BPMN element of the process's diagram: its instances started in the period (from, to; the last 7 days by default) waiting there, failed there and gone through it",
  })
  async elementCounts(
    @Param('tenantId') tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, string | undefined>,
  ): Promise<ElementCounts> {
    await this.processes.get(tenantId, id);
    const to = timeParam('to', query.to) ?? new Date();
    const from = timeParam('from', query.from) ?? new Date(to.getTime() - COUNTS_DAYS * DAY_MS);
    if (from >= to) throw new AppError(ErrorCode.InvalidArgument, `from: ${from.toISOString()} must be before to: ${to.toISOString()}`);
    return this.instances.elementCounts(tenantId, id, from, to);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Delete a custom process' })
  async remove(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<void> {
    await this.synced(tenantId, this.processes.remove(tenantId, id));
  }

  @Post(':id/activate')
  @HttpCode(200)
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Run the process for the webhooks of the tenant' })
  activate(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ProcessView> {
    return this.synced(tenantId, this.processes.setActive(tenantId, id, true));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Stop running the process for the webhooks of the tenant (kept, with its versions)' })
  deactivate(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ProcessView> {
    return this.synced(tenantId, this.processes.setActive(tenantId, id, false));
  }

  @Post(':id/revert')
  @HttpCode(200)
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Run the base definition again' })
  revert(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ProcessView> {
    return this.synced(tenantId, this.processes.revert(tenantId, id));
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @RequireScope('processes:write')
  @ApiOperation({ summary: 'Save an earlier version again as the newest' })
  rollback(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: RollbackDto): Promise<ProcessView> {
    return this.synced(tenantId, this.processes.rollback(tenantId, id, body.version));
  }

  @Post(':id/rebase')
  @HttpCode(200)
  @RequireScope('processes:write')
  @ApiOperation({
    summary:
      "Apply the base's changes since the override was made (old base → new base) to the override; 409 CONFLICT with details.paths when both changed a path",
  })
  @ApiOkResponse({ description: 'The process, its override now on the new base' })
  @ApiErrors(ErrorCode.Conflict)
  rebase(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ProcessView> {
    return this.synced(tenantId, this.processes.rebase(tenantId, id));
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequireScope('processes:read')
  @ApiOperation({ summary: 'Dry-run the process as it runs for the tenant against a payload; 422 and 429 as POST processes/test' })
  async test(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: TestProcessDto): Promise<DryRunResult> {
    const { definition } = await this.processes.get(tenantId, id);
    return this.dryRun.test(tenantId, definition, body.payload, undefined, body.waits);
  }
}
