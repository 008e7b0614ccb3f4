import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import type { ObjectModel } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { outputOf, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  object: string;
  /** Id of the step whose output holds the typed values. */
  values: string;
}

/** Checks that every lookup value (such as CountryId) is the Id of an existing record of its lookup object. */
@Injectable()
export class CheckLookupsStep implements StepType<Input> {
  readonly type = 'check-lookups';
  readonly outputInputs = ['object', 'values'];
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['object', 'values'],
    properties: { object: { type: 'string' }, values: { type: 'string' } },
  };

  constructor(private readonly records: RecordsService) {}

  async execute({ input, run }: StepCall<Input>): Promise<StepResult> {
    const object = outputOf<ObjectModel>(run, input.object);
    const values = outputOf<Record<string, unknown>>(run, input.values);
    const problems: string[] = [];
    const checked: string[] = [];
    for (const column of object.columns) {
      const value = values[column.name];
      if (!column.lookup || typeof value !== 'string') continue;
      checked.push(column.name);
      if (!(await this.records.exists(run.tenantId, column.lookup, value))) {
        problems.push(`${column.name}: no ${column.lookup} record has Id ${value}`);
      }
    }
    if (problems.length > 0) {
      return { ok: false, error: new AppError(ErrorCode.Unmappable, problems.join('; ')) };
    }
    return { ok: true, output: checked, trace: { checked } };
  }
}
