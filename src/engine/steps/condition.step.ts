import { Injectable } from '@nestjs/common';
import type { Expression } from '../expression.js';
import { compileExpression, evaluate, EXPRESSION_MARK, isTrue, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  /** Expression; JSONata truthiness decides (false, 0, "", empty and missing are false). */
  if: string;
}

/** Runs the step's "then" steps when the expression is true, its "else" steps otherwise. */
@Injectable()
export class ConditionStep implements StepType<Input, Expression> {
  readonly type = 'condition';
  readonly branches = ['then', 'else'] as const;
  readonly description = 'Runs "then" steps when the "if" expression is true, "else" steps otherwise.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['if'],
    properties: { if: { type: 'string', minLength: 1, ...EXPRESSION_MARK } },
  };

  compile(input: Input): Expression {
    return compileExpression(input.if, '/if');
  }

  async execute({ input, run }: StepCall<Expression>): Promise<StepResult> {
    const value = await evaluate(run, input);
    const truthy = isTrue(value);
    return { ok: true, output: truthy, branch: truthy ? 'then' : 'else' };
  }
}
