import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { SYSTEM_COLUMNS, type ObjectModel } from '../../catalogue/catalogue.service.js';
import { convertValue } from '../../catalogue/column-types.js';
import { outputOf, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  object: string;
  /** Id of the step whose output holds the raw values by column code. */
  fields: string;
}

/**
 * Converts each value to its column's type and checks that required columns have a value.
 * Output: the typed values. Every problem is reported at once, each naming its parameter.
 */
@Injectable()
export class ConvertValuesStep implements StepType<Input> {
  readonly type = 'convert-values';
  readonly outputInputs = ['object', 'fields'];
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['object', 'fields'],
    properties: { object: { type: 'string' }, fields: { type: 'string' } },
  };

  async execute({ input, run }: StepCall<Input>): Promise<StepResult> {
    const object = outputOf<ObjectModel>(run, input.object);
    const fields = outputOf<Record<string, unknown>>(run, input.fields);
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const column of object.columns) {
      if (SYSTEM_COLUMNS.has(column.name)) continue;
      const converted = convertValue(column.type, fields[column.name]);
      if (!converted.ok) {
        problems.push(`${column.name}: ${converted.problem}`);
      } else if (converted.value !== null) {
        values[column.name] = converted.value;
      } else if (column.required) {
        problems.push(`${column.name}: required column "${column.caption}" has no value`);
      }
    }
    if (problems.length > 0) {
      return { ok: false, error: new AppError(ErrorCode.Unmappable, problems.join('; ')) };
    }
    return { ok: true, output: values };
  }
}
