import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { RecordsService, type RecordView } from '../catalogue/records.service.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { InstancesService, type InstanceView } from '../engine/instances.service.js';
import { WebhookDispatcher } from '../pipeline/webhook-dispatcher.service.js';
import { BulkReplaysService, type ReplayView } from '../pipeline/bulk-replays.service.js';
import { WebhookLogService, type WebhookDetail, type WebhookView } from '../webhooks/webhook-log.service.js';
import { MappingProposalService, MAX_PROPOSAL_PARAMETERS, type MappingProposal } from '../engine/mapping-proposal/mapping-proposal.service.js';
import { BulkReplayDto, MappingProposalDto, ReplayDto } from './dto.js';
import { limitParam, oneOfParam, timeParam } from './query.js';
import { INSTANCE_STATUSES } from './instances.controller.js';

const STATUSES = ['queued', 'processed', 'received', 'failed'] as const;

const PROPOSED_PARAMETER_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['path', 'label', 'expression', 'sample', 'column', 'writtenAs', 'reason', 'confidence', 'explanation'],
  properties: {
    path: { type: 'string', example: "form_response.answers[field.ref='email']" },
    label: { type: 'string', nullable: true, description: "The form's own title of the field", example: 'Your e-mail address' },
    expression: { type: 'string', description: 'JSONata that reads the value from the webhook', example: "form_response.answers[field.ref='email'].email" },
    sample: { description: 'The value of the expression on this webhook (any JSON value, null when the field is empty)' },
    column: { type: 'string', nullable: true, example: 'Email' },
    writtenAs: {
      type: 'string',
      nullable: true,
      description: "The key of the definition's values: the column, or a lookup column without Id (resolved by name)",
      example: 'Email',
    },
    reason: { type: 'string', nullable: true, enum: ['name', 'value-shape', 'lookup-value', 'chosen'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    explanation: { type: 'string', example: "'email' is like the column Email" },
  },
};

const MAPPING_PROPOSAL_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['object', 'objectChosen', 'source', 'parameters', 'unmatched', 'missingRequired', 'parameterCount', 'truncated', 'definition'],
  properties: {
    object: { type: 'string', example: 'Lead' },
    objectChosen: { type: 'string', enum: ['given', 'best-match'] },
    source: { type: 'string', nullable: true, enum: ['typeform', 'tally', 'jotform'] },
    parameters: { type: 'array', items: PROPOSED_PARAMETER_SCHEMA },
    unmatched: { type: 'array', items: PROPOSED_PARAMETER_SCHEMA, description: 'The parameters with no column' },
    missingRequired: { type: 'array', items: { type: 'string' }, description: 'Required columns no parameter matches' },
    parameterCount: { type: 'integer' },
    truncated: { type: 'boolean', description: `Whether only the first ${MAX_PROPOSAL_PARAMETERS} parameters were considered` },
    definition: { type: 'object', additionalProperties: true, description: 'A custom process with one create-record step: POST it to /processes' },
  },
};

@ApiTags('webhook log')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId')
export class WebhookLogController {
  constructor(
    private readonly log: WebhookLogService,
    private readonly runs: InstancesService,
    private readonly records: RecordsService,
    private readonly dispatcher: WebhookDispatcher,
    private readonly bulkReplays: BulkReplaysService,
    private readonly mappingProposals: MappingProposalService,
  ) {}

  @Get('webhooks')
  @RequireScope('webhooks:read')
  @ApiOperation({ summary: 'The webhook log, newest first, with cursor pagination' })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'apiKeyId', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601' })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  list(@Param('tenantId') tenantId: string, @Query() query: Record<string, string | undefined>): Promise<{ items: WebhookView[]; nextCursor: string | null }> {
    return this.log.page(
      tenantId,
      {
        status: oneOfParam('status', query.status, STATUSES),
        apiKeyId: query.apiKeyId || undefined,
        from: timeParam('from', query.from),
        to: timeParam('to', query.to),
      },
      limitParam(query.limit, 50, 500),
      query.cursor || null,
    );
  }

  @Post('webhooks/replay')
  @HttpCode(202)
  @RequireScope('webhooks:write')
  @ApiOperation({ summary: 'Replay the received or failed webhooks that match, in the background; answers the replay, whose progress GET replays/:id tells' })
  replayMany(@Param('tenantId') tenantId: string, @Body() body: BulkReplayDto): Promise<ReplayView> {
    return this.bulkReplays.start(tenantId, {
      status: body.status,
      from: timeParam('from', body.from),
      to: timeParam('to', body.to),
      processId: body.processId,
      apiKeyId: body.apiKeyId,
      limit: body.limit,
    });
  }

  @Get('replays/:id')
  @RequireScope('webhooks:read')
  @ApiOperation({ summary: 'A bulk replay: running or completed, with how many webhooks it has replayed of its total, and failed' })
  replayProgress(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ReplayView> {
    return this.bulkReplays.get(tenantId, id);
  }

  @Get('webhooks/:id')
  @RequireScope('webhooks:read')
  @ApiOperation({ summary: 'One webhook: payload, safe headers, runs with their traces, records created' })
  async get(
    @Param('tenantId') tenantId: string,
    @Param('id') id: string,
  ): Promise<Omit<WebhookDetail, 'tenantId' | 'runIds'> & { runs: InstanceView[]; records: RecordView[] }> {
    const { tenantId: _tenant, runIds: _runs, ...webhook } = await this.log.get(tenantId, id);
    const runs = await this.runs.forWebhook(tenantId, id);
    const records: RecordView[] = [];
    for (const recordId of webhook.recordIds) {
      const record = await this.records.find(tenantId, recordId);
      if (record) records.push(record);
    }
    return { ...webhook, runs, records };
  }

  @Post('webhooks/:id/replay')
  @HttpCode(202)
  @RequireScope('webhooks:write')
  @ApiOperation({ summary: 'Run a stored webhook through the current processes again; answers the new run ids' })
  async replay(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: ReplayDto): Promise<{ runIds: string[] }> {
    return { runIds: await this.dispatcher.replay(tenantId, id, { force: body.force }) };
  }

  @Post('webhooks/:id/mapping-proposal')
  @HttpCode(200)
  @RequireScope('webhooks:read')
  @ApiOperation({
    summary:
      'Propose a custom process that maps a stored webhook to an object: each parameter with the column it matches (by name, value shape or lookup value), why and how sure; nothing is saved',
  })
  @ApiOkResponse({ schema: MAPPING_PROPOSAL_SCHEMA })
  proposeMapping(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: MappingProposalDto): Promise<MappingProposal> {
    return this.mappingProposals.propose(tenantId, id, body?.object, body?.columns);
  }

  @Get('runs')
  @RequireScope('webhooks:read')
  @ApiOperation({ summary: 'Runs of processes (their instances), newest first; GET instances filters more' })
  @ApiQuery({ name: 'status', required: false, enum: INSTANCE_STATUSES })
  @ApiQuery({ name: 'processId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 50' })
  runsList(@Param('tenantId') tenantId: string, @Query() query: Record<string, string | undefined>): Promise<InstanceView[]> {
    return this.runs.list(
      tenantId,
      { status: oneOfParam('status', query.status, INSTANCE_STATUSES), processId: query.processId || undefined },
      limitParam(query.limit, 50, 500),
    );
  }
}
