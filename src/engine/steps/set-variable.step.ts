import { Injectable } from '@nestjs/common';
import { compileValue, evaluate, EXPRESSION_MARK, type StepCall, type StepResult, type StepType, type ValueSource } from '../step-type.js';

interface Input {
  name: string;
  value: unknown;
}

/** Sets $vars.<name> for the steps after it. */
@Injectable()
export class SetVariableStep implements StepType<Input, { name: string; value: ValueSource }> {
  readonly type = 'set-variable';
  readonly description = 'Sets a variable ($vars.<name>) from an expression or constant.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'value'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
      value: { description: 'Expression (a string) or constant.', ...EXPRESSION_MARK },
    },
  };

  compile(input: Input) {
    return { name: input.name, value: compileValue(input.value, '/value') };
  }

  async execute({ input, run }: StepCall<{ name: string; value: ValueSource }>): Promise<StepResult> {
    const value = await evaluate(run, input.value);
    run.vars[input.name] = value;
    return { ok: true, output: value };
  }
}
