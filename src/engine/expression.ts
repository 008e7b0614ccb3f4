import jsonata from 'jsonata';
import { AppError, ErrorCode } from '../common/app-error.js';
import { LinearRegExp } from './linear-regexp.js';

/**
 * Expressions of process definitions are JSONata: a well-known language for data mapping and
 * conditions that can reach nothing but the data and variables it is given. Every evaluation
 * is bounded in time, depth and sequence length, and its result in size, so a runaway
 * expression fails its run with a clear error instead of holding the worker.
 */
export const EXPRESSION_LIMITS = {
  timeoutMs: 500,
  maxDepth: 200,
  maxSequence: 100_000,
  maxResultChars: 1_000_000,
};

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export interface ExpressionBindings {
  [name: string]: unknown;
}

/** A compiled expression; compile once per definition version, evaluate per webhook. */
export class Expression {
  private constructor(
    readonly source: string,
    private readonly compiled: jsonata.Expression,
  ) {}

  static compile(source: string): Expression {
    try {
      return new Expression(
        source,
        jsonata(source, {
          timeout: EXPRESSION_LIMITS.timeoutMs,
          stack: EXPRESSION_LIMITS.maxDepth,
          sequence: EXPRESSION_LIMITS.maxSequence,
          RegexEngine: LinearRegExp as unknown as RegExpConstructor,
        } as jsonata.JsonataOptions),
      );
    } catch (error) {
      const failure = error as { message?: string; position?: number };
      throw new ExpressionSyntaxError(
        `expression does not parse: ${failure.message ?? String(error)} (at character ${failure.position ?? 0})`,
        failure.position ?? 0,
      );
    }
  }

  /** The value, or a permanent error that quotes the expression and says what went wrong. */
  async evaluate(input: unknown, bindings: ExpressionBindings): Promise<unknown> {
    let result: unknown;
    try {
      result = await this.compiled.evaluate(input, bindings);
    } catch (error) {
      const failure = error as { code?: string; message?: string };
      const why =
        failure.code === 'D1012'
          ? `took longer than ${EXPRESSION_LIMITS.timeoutMs} ms`
          : failure.code === 'D1011'
            ? `nested deeper than ${EXPRESSION_LIMITS.maxDepth}`
            : (failure.message ?? String(error));
      throw new AppError(ErrorCode.ExpressionFailed, `Expression ${quote(this.source)} failed: ${why}`);
    }
    return normalise(result, this.source);
  }
}

/** JSONata sequences are arrays with extra flags; results leave as plain, bounded JSON values. */
function normalise(result: unknown, source: string): unknown {
  if (result === undefined) return undefined;
  if (typeof result === 'function' || isJsonataFunction(result)) {
    throw new AppError(ErrorCode.ExpressionFailed, `Expression ${quote(source)} returned a function, not a value`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(result, (_key, value: unknown) => {
      if (typeof value === 'function' || isJsonataFunction(value)) throw new TypeError('a function is not a value');
      return value;
    });
  } catch (error) {
    throw new AppError(ErrorCode.ExpressionFailed, `Expression ${quote(source)} returned no JSON value: ${(error as Error).message}`);
  }
  if (text === undefined) return undefined;
  if (text.length > EXPRESSION_LIMITS.maxResultChars) {
    throw new AppError(
      ErrorCode.ExpressionFailed,
      `Expression ${quote(source)} returned ${text.length} characters, more than the limit of ${EXPRESSION_LIMITS.maxResultChars}`,
    );
  }
  return JSON.parse(text);
}

/** JSONata's own functions and lambdas are objects with these markers. */
function isJsonataFunction(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('_jsonata_function' in value || '_jsonata_lambda' in value);
}

function quote(source: string): string {
  return JSON.stringify(source.length > 80 ? `${source.slice(0, 77)}...` : source);
}
