import { Injectable } from '@nestjs/common';
import { SYSTEM_COLUMNS, type ObjectModel } from '../../catalogue/catalogue.service.js';
import { outputOf, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  /** Id of the step whose output is the target object. */
  object: string;
  /** Parameters that are not column values (such as EntityName). */
  ignore?: string[];
}

/**
 * Takes every webhook parameter whose name equals a column code of the object. Output: those
 * parameters with their raw values. Parameters that match no column are listed in the trace.
 */
@Injectable()
export class MapParametersStep implements StepType<Input> {
  readonly type = 'map-parameters';
  readonly outputInputs = ['object'];
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['object'],
    properties: {
      object: { type: 'string' },
      ignore: { type: 'array', items: { type: 'string' }, maxItems: 100 },
    },
  };

  async execute({ input, run }: StepCall<Input>): Promise<StepResult> {
    const object = outputOf<ObjectModel>(run, input.object);
    const columns = new Set(object.columns.map((column) => column.name));
    const ignore = new Set(input.ignore ?? []);
    const fields: Record<string, unknown> = {};
    const unmatched: string[] = [];
    const systemColumns: string[] = [];
    for (const [name, value] of Object.entries(run.payload)) {
      if (ignore.has(name)) continue;
      // The system sets Id, CreatedOn and ModifiedOn itself; a webhook cannot choose them.
      if (SYSTEM_COLUMNS.has(name)) systemColumns.push(name);
      else if (columns.has(name)) fields[name] = value;
      else unmatched.push(name);
    }
    return {
      ok: true,
      output: fields,
      trace: { mapped: Object.keys(fields), ignored: unmatched, systemColumnsIgnored: systemColumns },
    };
  }
}
