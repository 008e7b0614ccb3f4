import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { compileExpression, evaluate, EXPRESSION_MARK, type StepCall, type StepResult, type StepType } from '../step-type.js';
import type { Expression } from '../expression.js';
import {
  compileRecordInput,
  RECORD_INPUT_PROPERTIES,
  RECORD_INPUT_RULES,
  resolveRecordInput,
  unmappable,
  type CompiledRecordInput,
  type RecordInput,
} from './record-input.js';

interface Input extends RecordInput {
  /** Expression giving the Id of the record, e.g. "Id" in a process a record starts, or "$steps.lead.recordId". */
  id: string;
}

interface Compiled extends CompiledRecordInput {
  id: Expression;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Updates one record by its Id with the given column values (the others are kept). Output:
 * { recordId, action: "updated" }. A record that does not exist fails the step (UNMAPPABLE).
 * What enriches a record a process started by a record trigger was given (`$` is the record).
 */
@Injectable()
export class UpdateRecordStep implements StepType<Input, Compiled> {
  readonly type = 'update-record';
  readonly description = 'Updates the record with this Id (e.g. the record that started the process) with column values.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: {
      ...RECORD_INPUT_PROPERTIES,
      id: { type: 'string', minLength: 1, description: 'Expression giving the record Id, e.g. "Id" or "$steps.lead.recordId".', ...EXPRESSION_MARK },
    },
    allOf: RECORD_INPUT_RULES,
  };

  constructor(
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
  ) {}

  compile(input: Input): Compiled {
    return { ...compileRecordInput(input), id: compileExpression(input.id, '/id') };
  }

  async execute({ step, input, run }: StepCall<Compiled>): Promise<StepResult> {
    const resolved = await resolveRecordInput(run, input, this.catalogue);
    if (!resolved.ok) return resolved;
    const object = resolved.object.name;
    const id = await evaluate(run, input.id);
    if (typeof id !== 'string' || !UUID.test(id)) return unmappable(`id: ${JSON.stringify(id) ?? 'nothing'} is not the Id of a record`);
    const prepared = await this.records.prepare(run.tenantId, resolved.object, resolved.raw, { partial: true });
    if (!prepared.ok) return { ok: false, error: new AppError(ErrorCode.Unmappable, prepared.problems.join('; ')) };
    if (!(await this.records.exists(run.tenantId, object, id))) return unmappable(`id: no ${object} record has the Id ${id}`);
    if (run.dryRun) {
      run.plannedWrites.push({ step: step.id, action: 'update', object, recordId: id, values: prepared.values });
      return { ok: true, output: { recordId: id, action: 'updated' }, trace: { object, recordId: id, values: prepared.values, dryRun: true } };
    }
    await this.records.update(run.tenantId, object, id, prepared.values);
    run.recordIds.push(id);
    run.writes.push({ step: step.id, object, recordId: id, action: 'updated' });
    return { ok: true, output: { recordId: id, action: 'updated' }, trace: { object, recordId: id, values: prepared.values } };
  }
}
