import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { compileFields, evaluateFields, type StepCall, type StepResult, type StepType, type ValueSource } from '../step-type.js';
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
  /** The column that identifies a record, e.g. "Email". */
  key: string;
  /** Values written only when the record is created (defaults that must not overwrite). */
  onCreate?: Record<string, unknown>;
}

interface Compiled extends CompiledRecordInput {
  key: string;
  onCreate: Map<string, ValueSource>;
}

/**
 * Finds the record whose key column equals the new value (text: trimmed, case-insensitive);
 * updates it if there is one, creates it otherwise. Output: { recordId, action }. Atomic per
 * tenant, object, key column and value: concurrent runs with the same new key create one record
 * (RecordsService.createByKey).
 */
@Injectable()
export class UpsertRecordStep implements StepType<Input, Compiled> {
  readonly type = 'upsert-record';
  readonly description = 'Updates the record with the same key column value, or creates one.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['key'],
    properties: {
      ...RECORD_INPUT_PROPERTIES,
      key: { type: 'string', minLength: 1, description: 'e.g. "Email"' },
      onCreate: { ...RECORD_INPUT_PROPERTIES.values, description: 'Column values written only when a record is created.' },
    },
    allOf: RECORD_INPUT_RULES,
  };

  constructor(
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
  ) {}

  compile(input: Input): Compiled {
    return { ...compileRecordInput(input), key: input.key, onCreate: compileFields(input.onCreate ?? {}, '/onCreate') };
  }

  async execute({ step, input, run }: StepCall<Compiled>): Promise<StepResult> {
    const resolved = await resolveRecordInput(run, input, this.catalogue);
    if (!resolved.ok) return resolved;
    const object = resolved.object.name;
    if (!resolved.object.columns.some((column) => column.name === input.key)) {
      return unmappable(`key: "${object}" has no column "${input.key}"`);
    }
    const partial = await this.records.prepare(run.tenantId, resolved.object, resolved.raw, { partial: true });
    if (!partial.ok) return { ok: false, error: new AppError(ErrorCode.Unmappable, partial.problems.join('; ')) };
    const keyValue = partial.values[input.key];
    if (keyValue === undefined || typeof keyValue === 'object') {
      return unmappable(`${input.key}: the key column has no value, so no record can be found or created`);
    }
    const matches = await this.records.findIds(run.tenantId, object, input.key, keyValue as string | number | boolean);
    if (matches.length > 1) {
      return unmappable(`${input.key}: several ${object} records have ${input.key} "${String(keyValue)}"; cannot choose one`);
    }
    const sourceKey = `${run.writeKey}:${step.id}`;
    if (matches.length === 1) {
      const recordId = matches[0];
      if (run.dryRun) {
        run.plannedWrites.push({ step: step.id, action: 'update', object, recordId, values: partial.values });
        return { ok: true, output: { recordId, action: 'updated' }, trace: { object, recordId, action: 'updated' } };
      }
      await this.records.update(run.tenantId, object, recordId, partial.values);
      run.recordIds.push(recordId);
      // The record this step created in an earlier attempt of the same run (a crash, a retry) is still its creation.
      const action = (await this.records.createdBy(run.tenantId, sourceKey)) === recordId ? 'created' : 'updated';
      run.writes.push({ step: step.id, object, recordId, action });
      return { ok: true, output: { recordId, action }, trace: { object, recordId, action } };
    }
    // A new record gets the onCreate values too, and must have every required column.
    const raw = { ...(await evaluateFields(run, input.onCreate)), ...resolved.raw };
    const full = await this.records.prepare(run.tenantId, resolved.object, raw);
    if (!full.ok) return { ok: false, error: new AppError(ErrorCode.Unmappable, full.problems.join('; ')) };
    if (run.dryRun) {
      run.plannedWrites.push({ step: step.id, action: 'create', object, recordId: null, values: full.values });
      return { ok: true, output: { recordId: null, action: 'created' }, trace: { object, action: 'created', dryRun: true } };
    }
    // Another run may create the same key between the read above and this write: then its record is updated.
    const key = { column: input.key, value: keyValue as string | number | boolean };
    const written = await this.records.createByKey(run.tenantId, object, full.values, sourceKey, key);
    if (!written.created) await this.records.update(run.tenantId, object, written.id, partial.values);
    const recordId = written.id;
    const action = written.created ? 'created' : 'updated';
    run.recordIds.push(recordId);
    run.writes.push({ step: step.id, object, recordId, action });
    return { ok: true, output: { recordId, action }, trace: { object, recordId, action } };
  }
}
