import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import type { StepCall, StepResult, StepType } from '../step-type.js';
import {
  compileRecordInput,
  RECORD_INPUT_PROPERTIES,
  RECORD_INPUT_RULES,
  resolveRecordInput,
  type CompiledRecordInput,
  type RecordInput,
} from './record-input.js';

/**
 * Creates a record: converts each value to its column's type, checks required columns and
 * lookups (by Id, or by name without the Id suffix), then writes. Output: { recordId }.
 */
@Injectable()
export class CreateRecordStep implements StepType<RecordInput, CompiledRecordInput> {
  readonly type = 'create-record';
  readonly description = 'Creates a record of an object of the Webhook entities lookup from column values.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    properties: RECORD_INPUT_PROPERTIES,
    allOf: RECORD_INPUT_RULES,
  };

  constructor(
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
  ) {}

  compile(input: RecordInput): CompiledRecordInput {
    return compileRecordInput(input);
  }

  async execute({ step, input, run }: StepCall<CompiledRecordInput>): Promise<StepResult> {
    const resolved = await resolveRecordInput(run, input, this.catalogue);
    if (!resolved.ok) return resolved;
    const prepared = await this.records.prepare(run.tenantId, resolved.object, resolved.raw);
    if (!prepared.ok) return { ok: false, error: new AppError(ErrorCode.Unmappable, prepared.problems.join('; ')) };
    const object = resolved.object.name;
    if (run.dryRun) {
      run.plannedWrites.push({ step: step.id, action: 'create', object, recordId: null, values: prepared.values });
      return { ok: true, output: { recordId: null }, trace: { object, values: prepared.values, dryRun: true } };
    }
    // One record per webhook, process and step, however often the job runs.
    const sourceKey = `${run.writeKey}:${step.id}`;
    const recordId = await this.records.createOnce(run.tenantId, object, prepared.values, sourceKey);
    run.recordIds.push(recordId);
    run.writes.push({ step: step.id, object, recordId, action: 'created' });
    return { ok: true, output: { recordId }, trace: { object, recordId } };
  }
}
