import { Injectable } from '@nestjs/common';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { compileValue, evaluate, EXPRESSION_MARK, type StepCall, type StepResult, type StepType, type ValueSource } from '../step-type.js';
import { unmappable } from './record-input.js';

interface Input {
  object: string;
  /** Column code to compare, e.g. "Name". */
  column: string;
  /** Expression (or constant) for the value to find, e.g. "country". */
  value: unknown;
  /** Fail the run when nothing is found (default: output null and go on). */
  required?: boolean;
}

interface Compiled {
  object: string;
  column: string;
  value: ValueSource;
  required: boolean;
}

/**
 * Finds the one record of any catalogue object (lookups too) whose column equals a value, e.g.
 * a Country by Name. Output: the record ({ Id, … }) or null. Several matches fail the run.
 */
@Injectable()
export class FindRecordStep implements StepType<Input, Compiled> {
  readonly type = 'find-record';
  readonly description = 'Finds one record by a column value (text: trimmed, case-insensitive); output the record or null.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['object', 'column', 'value'],
    properties: {
      object: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
      column: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
      value: { description: 'Expression (a string) or constant.', ...EXPRESSION_MARK },
      required: { type: 'boolean' },
    },
  };

  constructor(
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
  ) {}

  compile(input: Input): Compiled {
    return { object: input.object, column: input.column, value: compileValue(input.value, '/value'), required: input.required ?? false };
  }

  async execute({ input, run }: StepCall<Compiled>): Promise<StepResult> {
    const object = await this.catalogue.findObject(run.tenantId, input.object);
    if (!object) return unmappable(`Object "${input.object}" does not exist in this tenant's catalogue`);
    if (input.column !== 'Id' && !object.columns.some((column) => column.name === input.column)) {
      return unmappable(`"${input.object}" has no column "${input.column}"`);
    }
    const value = await evaluate(run, input.value);
    if (value === undefined || value === null || value === '' || typeof value === 'object') {
      if (input.required) return unmappable(`${input.object}.${input.column}: no value to look for`);
      return { ok: true, output: null, trace: { found: 0 } };
    }
    const ids =
      input.column === 'Id'
        ? (await this.records.exists(run.tenantId, input.object, String(value)))
          ? [String(value)]
          : []
        : await this.records.findIds(run.tenantId, input.object, input.column, value as string | number | boolean);
    if (ids.length > 1) return unmappable(`several ${input.object} records have ${input.column} "${String(value)}"`);
    if (ids.length === 0) {
      if (input.required) return unmappable(`no ${input.object} record has ${input.column} "${String(value)}"`);
      return { ok: true, output: null, trace: { found: 0 } };
    }
    const record = await this.records.get(run.tenantId, input.object, ids[0]);
    return { ok: true, output: record, trace: { found: 1, recordId: ids[0] } };
  }
}
