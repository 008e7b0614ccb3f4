import { Injectable } from '@nestjs/common';
import { compileFields, evaluateFields, type StepCall, type StepResult, type StepType, type ValueSource } from '../step-type.js';

interface Input {
  /** Output field → expression (a string) or constant. */
  fields: Record<string, unknown>;
}

/** Builds an object from expressions on the webhook: rename, reshape, compute, add constants. */
@Injectable()
export class MapStep implements StepType<Input, Map<string, ValueSource>> {
  readonly type = 'map';
  readonly description = 'Builds an object of fields from expressions (source paths, constants, computations).';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['fields'],
    properties: { fields: { type: 'object', minProperties: 1, maxProperties: 500 } },
  };

  compile(input: Input): Map<string, ValueSource> {
    return compileFields(input.fields, '/fields');
  }

  async execute({ input, run }: StepCall<Map<string, ValueSource>>): Promise<StepResult> {
    return { ok: true, output: await evaluateFields(run, input) };
  }
}
