import { Injectable } from '@nestjs/common';
import type { Expression } from '../expression.js';
import { compileExpression, evaluate, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  /** Expression whose value picks the case. */
  value: string;
}

/** Runs the steps of the case named by the value (compared as text), or the "default" steps. */
@Injectable()
export class SwitchStep implements StepType<Input, Expression> {
  readonly type = 'switch';
  readonly description = 'Runs the "cases" steps whose name equals the "value" expression (as text), or the "default" steps when none does.';
  readonly branches = ['cases', 'default'] as const;
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['value'],
    properties: { value: { type: 'string', minLength: 1 } },
  };

  compile(input: Input): Expression {
    return compileExpression(input.value, '/value');
  }

  async execute({ step, input, run }: StepCall<Expression>): Promise<StepResult> {
    const value = await evaluate(run, input);
    const text = value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
    const matched = text !== null && Object.hasOwn(step.cases ?? {}, text) ? text : null;
    return { ok: true, output: { value: value ?? null, case: matched }, branch: matched === null ? 'default' : `cases/${matched}` };
  }
}
