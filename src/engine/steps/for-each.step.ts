import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Expression } from '../expression.js';
import { compileExpression, evaluate, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  /** Expression giving the array to go through. */
  items: string;
}

/** Used when the configuration is not at hand (definitions compiled without a service). */
const DEFAULT_FOR_EACH_MAX_ITEMS = 1000;

/**
 * Runs its "steps" once per item of an array, with `$item` and `$index` in their expressions.
 * Its output is the iterations' outputs; records written inside are keyed per index.
 */
@Injectable()
export class ForEachStep implements StepType<Input, Expression> {
  readonly type = 'for-each';
  readonly description = 'Runs its "steps" once per item of the "items" array ($item, $index); the output is the outputs of each iteration.';
  readonly branches = ['steps'] as const;
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: { items: { type: 'string', minLength: 1, description: 'Expression giving an array; a single value counts as one item, nothing as none.' } },
  };
  private readonly maxItems: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.maxItems = config?.forEachMaxItems ?? DEFAULT_FOR_EACH_MAX_ITEMS;
  }

  compile(input: Input): Expression {
    return compileExpression(input.items, '/items');
  }

  async execute({ input, run }: StepCall<Expression>): Promise<StepResult> {
    const value = await evaluate(run, input);
    // JSONata answers a one-item sequence as the item itself and an empty one as nothing.
    const items = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    if (items.length > this.maxItems) {
      const error = new AppError(ErrorCode.LimitExceeded, `"items" has ${items.length} items; a for-each takes at most ${this.maxItems} (FOR_EACH_MAX_ITEMS)`);
      return { ok: false, error };
    }
    return { ok: true, output: { items: items.length }, items };
  }
}
