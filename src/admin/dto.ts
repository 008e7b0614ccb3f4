import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SCOPES } from '../auth/scopes.js';
import { COLUMN_TYPES, LOOKUP_COLUMN_TYPES, type ColumnType } from '../catalogue/column-types/index.js';
import { SCHEME_DEFINITIONS, SIGNATURE_SCHEMES, SIGNATURE_SETTINGS, type SignatureScheme, type SignatureSetting } from '../tenants/signature-schemes/index.js';
import { MAX_TASK_COMMENT } from '../engine/approval-task.entity.js';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const IDENTIFIER_MESSAGE = '$property must be a letter then letters, digits or "_" (at most 64)';

export class CreateTenantDto {
  @ApiProperty({ example: 'Acme' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Landing page', description: 'What sends with this key' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class UpdateApiKeyDto {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 10_000_000,
    description: "Webhooks per minute this key may send, at most its tenant's limit; null: the tenant's limit",
  })
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  rateLimitPerMinute: number | null;
}

export class UpdateTenantDto {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 10_000_000,
    description: 'Webhooks per minute of each key without a limit of its own (0: no limit); null: RATE_LIMIT_PER_MINUTE',
  })
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  rateLimitPerMinute: number | null;
}

export class SetSecretDto {
  @ApiProperty({ description: 'The secret; stored encrypted and never shown again', writeOnly: true, example: 'the-crm-client-secret' })
  @IsString()
  @Length(1, 8192)
  value: string;
}

export class SignatureDto {
  @ApiProperty({ enum: SIGNATURE_SCHEMES, description: SCHEME_DEFINITIONS.map(({ name, label }) => `${name}: ${label}`).join('; ') })
  @IsIn(SIGNATURE_SCHEMES)
  scheme: SignatureScheme;

  @ApiProperty({ description: 'The signing secret (stored encrypted, never shown again)' })
  @IsString()
  @Length(8, 500)
  secret: string;

  /** The schemes' own settings (SIGNATURE_SETTINGS), declared on the class below. */
  [setting: string]: unknown;
}

// Each scheme declares its settings; the body takes them all, each documented with the schemes it applies to.
for (const setting of SIGNATURE_SETTINGS) declareSetting(SignatureDto.prototype, setting);

function declareSetting(target: object, { name, schemes, description, type, enum: values, minimum, maximum }: SignatureSetting): void {
  ApiPropertyOptional({ type, description: `${schemes.join(', ')}: ${description}`, enum: values && [...values], minimum, maximum })(target, name);
  const checks = [IsOptional(), type === 'integer' ? IsInt() : IsString()];
  if (values) checks.push(IsIn(values));
  if (minimum !== undefined) checks.push(Min(minimum));
  if (maximum !== undefined) checks.push(Max(maximum));
  for (const check of checks) check(target, name);
}

export class CreateClientDto {
  @ApiProperty({ enum: ['platform', 'tenant'] })
  @IsIn(['platform', 'tenant'])
  kind: 'platform' | 'tenant';

  @ApiPropertyOptional({ description: 'For a tenant client' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(SCOPES, { each: true })
  scopes?: string[];
}

export class ColumnDto {
  @ApiProperty({ example: 'Phone' })
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  name: string;

  @ApiPropertyOptional({ example: 'Phone number' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  caption?: string;

  @ApiProperty({ enum: COLUMN_TYPES, description: 'One of GET /api/column-types' })
  @IsIn(COLUMN_TYPES)
  type: ColumnType;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({ description: `For a lookup column (${LOOKUP_COLUMN_TYPES.join(' or ')}, name ending in Id): the referenced object` })
  @IsOptional()
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  lookup?: string;
}

/** A column type as GET /api/column-types answers it. */
export class ColumnTypeDto {
  @ApiProperty({ enum: COLUMN_TYPES, description: 'The name columns give as their type' })
  name: ColumnType;

  @ApiProperty({ example: 'Whole number' })
  label: string;

  @ApiProperty({ description: 'What a webhook value of this type may be', example: 'Whole numbers or numeric strings in the 32-bit range' })
  description: string;

  @ApiProperty({ description: 'Whether a column of this type may be a lookup: reference the records of another object (lookup)' })
  takesLookup: boolean;
}

/** A step type as GET /api/step-types answers it. */
export class StepTypeDto {
  @ApiProperty({ example: 'create-record' })
  type: string;

  @ApiProperty({ example: 'Creates a record of an object from expressions on the webhook.' })
  description: string;

  @ApiProperty({ description: "JSON Schema of the step's input, as definitions are validated with", type: 'object', additionalProperties: true })
  inputSchema: Record<string, unknown>;

  @ApiProperty({ description: 'The properties of the step that hold nested steps (every step takes onError)', example: ['then', 'else', 'onError'] })
  branches: string[];
}

export class CreateObjectDto {
  @ApiProperty({ example: 'Ticket' })
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  name: string;

  @ApiPropertyOptional({ example: 'Support ticket' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  caption?: string;

  @ApiPropertyOptional({ description: 'Listed in the Webhook entities lookup (default true)' })
  @IsOptional()
  @IsBoolean()
  inWebhookLookup?: boolean;

  @ApiProperty({ type: [ColumnDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ColumnDto)
  fields: ColumnDto[];
}

export class UpdateObjectDto {
  @ApiProperty()
  @IsBoolean()
  inWebhookLookup: boolean;
}

export class ProcessDefinitionDto {
  @ApiProperty({ description: 'A process definition (see processes/process.schema.json)', type: 'object', additionalProperties: true })
  @IsObject()
  definition: Record<string, unknown>;
}

export class RollbackDto {
  @ApiProperty({ example: 2 })
  @IsInt()
  @Min(1)
  version: number;
}

export class TestProcessDto {
  @ApiProperty({ description: 'Sample webhook parameters', type: 'object', additionalProperties: true })
  @IsObject()
  payload: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'How to go on past wait steps, by step id (or path): "timeout", { "payload": {…} } (a webhook resumes a wait-for-webhook), { "decision": "approved" | "rejected", "comment"? } (wait-for-approval). Without one, the dry run stops at the wait.',
    type: 'object',
    additionalProperties: true,
    example: { order: { payload: { email: 'ada@example.com' } }, approve: { decision: 'approved' } },
  })
  @IsOptional()
  @IsObject()
  waits?: Record<string, unknown>;
}

export class TestDefinitionDto extends TestProcessDto {
  @ApiProperty({ description: 'An unsaved process definition', type: 'object', additionalProperties: true })
  @IsObject()
  definition: Record<string, unknown>;
}

/** Webhooks received in a time range (ISO 8601), both ends optional. */
class ReceivedBetweenDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601()
  to?: string;
}

export class WhatIfDto extends ReceivedBetweenDto {
  @ApiProperty({ description: 'A draft process definition', type: 'object', additionalProperties: true })
  @IsObject()
  definition: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  webhookIds?: string[];

  @ApiPropertyOptional({ enum: ['processed', 'received', 'failed'] })
  @IsOptional()
  @IsIn(['processed', 'received', 'failed'])
  status?: 'processed' | 'received' | 'failed';

  @ApiPropertyOptional({ minimum: 1, maximum: 200 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ReplayDto {
  @ApiPropertyOptional({ description: 'Run a processed webhook again; its records are written anew' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class BulkReplayDto extends ReceivedBetweenDto {
  @ApiProperty({ enum: ['received', 'failed'] })
  @IsIn(['received', 'failed'])
  status: 'received' | 'failed';

  @ApiPropertyOptional({ description: 'Only through this process' })
  @IsOptional()
  @IsString()
  processId?: string;

  @ApiPropertyOptional({ description: 'Only webhooks sent with this API key' })
  @IsOptional()
  @IsString()
  apiKeyId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000, description: 'At most this many, newest first (default: all that match)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  limit?: number;
}

export class MappingProposalDto {
  @ApiPropertyOptional({ description: 'The object to map to (of the Webhook entities lookup); absent: the object whose columns match best', example: 'Lead' })
  @IsOptional()
  @IsString()
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  object?: string;

  @ApiPropertyOptional({
    description: "The analyst's corrections, by parameter path: the column it is written to, or null for none; they win over every proposal",
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    example: { "form_response.answers[field.ref='company']": 'Account' },
  })
  @IsOptional()
  @IsObject()
  columns?: Record<string, string | null>;
}

export class FieldMappingDto {
  @ApiProperty({ description: 'A sample webhook payload', type: 'object', additionalProperties: true, example: { Email: 'ada@example.com' } })
  @IsObject()
  payload: Record<string, unknown>;
}

export class ValidateDefinitionDto {
  @ApiProperty({ description: 'A process definition to check', type: 'object', additionalProperties: true })
  @IsObject()
  definition: Record<string, unknown>;
}

export class TaskDecisionDto {
  @ApiPropertyOptional({ description: 'Why; part of the step output (`comment`)', maxLength: MAX_TASK_COMMENT })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TASK_COMMENT)
  comment?: string;
}

/** An expression to evaluate on a sample payload (POST …/expressions/evaluate). */
export class EvaluateExpressionDto {
  @ApiProperty({ description: 'A JSONata expression, as a step input holds it', example: "form_response.answers[field.ref='email'].email" })
  @IsString()
  @Length(1, 10_000)
  expression: string;

  @ApiProperty({ description: 'The sample payload: a stored webhook’s, or one pasted', type: 'object', additionalProperties: true })
  @IsObject()
  payload: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Variables, as `$vars` (set-variable steps)', type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  vars?: Record<string, unknown>;
}
