import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Expression, ExpressionSyntaxError } from './expression.js';
import { evaluate, expressionContext } from './step-type.js';

/** What an expression gives on a payload: `defined` false when it gives nothing (JSON has no undefined). */
export interface ExpressionValue {
  defined: boolean;
  value: unknown;
}

/**
 * An expression evaluated on a sample payload, as an editor shows it beside the field being
 * typed: in the engine's own sandbox and limits (expression.ts), with the bindings a step of a
 * run gets — `$vars` as given, no `$steps` yet and no `$webhook` — and nothing written.
 */
@Injectable()
export class ExpressionPreviewService {
  async evaluate(tenantId: string, source: string, payload: Record<string, unknown>, vars: Record<string, unknown> = {}): Promise<ExpressionValue> {
    let expression: Expression;
    try {
      expression = Expression.compile(source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      // 400 and not 422: the text is no expression at all, whatever the payload.
      throw new AppError(ErrorCode.InvalidArgument, error.message, {}, { position: error.position });
    }
    const run = { ...expressionContext({ tenantId, webhookId: '', payload, webhook: null }), vars: { ...vars } };
    const value = await evaluate(run, expression);
    return value === undefined ? { defined: false, value: null } : { defined: true, value };
  }
}
