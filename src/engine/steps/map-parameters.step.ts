import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { SYSTEM_COLUMNS, type ObjectModel } from '../../catalogue/catalogue.service.js';
import type { StepCall, StepResult, StepType } from '../step-type.js';

interface Input {
  /** Id of the resolve-object step whose output is the target object. */
  object: string;
  /** Parameters that are not column values (such as EntityName). */
  ignore?: string[];
}

/**
 * Takes every webhook parameter whose name equals a column code of the object, or names a
 * lookup column without its Id suffix (Country for CountryId, resolved by name when the record
 * is written). Output: those parameters with their raw values. The rest are listed in the trace.
 */
@Injectable()
export class MapParametersStep implements StepType<Input> {
  readonly type = 'map-parameters';
  readonly description = 'Takes the webhook parameters whose names are column codes of the object.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['object'],
    properties: {
      object: { type: 'string', description: 'Id of the resolve-object step.' },
      ignore: { type: 'array', items: { type: 'string' }, maxItems: 100 },
    },
  };

  async execute({ input, run }: StepCall<Input>): Promise<StepResult> {
    const object = run.outputs[input.object] as ObjectModel | undefined;
    if (!object?.columns) {
      return {
        ok: false,
        error: new AppError(ErrorCode.InvalidDefinition, `"${input.object}" must be the id of an earlier resolve-object step`),
      };
    }
    const columns = new Map(object.columns.map((column) => [column.name, column]));
    const ignore = new Set(input.ignore ?? []);
    const fields: Record<string, unknown> = {};
    const ignored: string[] = [];
    const systemColumnsIgnored: string[] = [];
    const lookupsByName: string[] = [];
    for (const [name, value] of Object.entries(run.payload)) {
      if (ignore.has(name)) continue;
      // The system sets Id, CreatedOn and ModifiedOn itself; a webhook cannot choose them.
      if (SYSTEM_COLUMNS.has(name)) systemColumnsIgnored.push(name);
      else if (columns.has(name)) fields[name] = value;
      else if (columns.get(`${name}Id`)?.lookup) {
        fields[name] = value;
        lookupsByName.push(name);
      } else ignored.push(name);
    }
    const mapped = Object.keys(fields).filter((name) => !lookupsByName.includes(name));
    return { ok: true, output: fields, trace: { mapped, lookupsByName, ignored, systemColumnsIgnored } };
  }
}
