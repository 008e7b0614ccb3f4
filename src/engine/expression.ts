import jsonata from 'jsonata';
import { parse as secureParse } from 'secure-json-parse';
import { AppError, ErrorCode } from '../common/app-error.js';
import { EXPRESSION_LIMITS, ExpressionLimitError, installLimits } from './expression-limits.js';
import { LinearRegExp } from './linear-regexp.js';

/**
 * Expressions of process definitions are JSONata: a well-known language for data mapping and
 * conditions that can reach nothing but the data and variables it is given. Every evaluation
 * is bounded in time, depth and the sizes of what it builds (see expression-limits.ts), and its
 * result in size, so a runaway expression fails its run with a clear error instead of holding
 * the worker or the API for every tenant.
 */
export { EXPRESSION_LIMITS };

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
  private limited = false;

  private constructor(
    readonly source: string,
    private readonly compiled: jsonata.Expression,
  ) {}

  static compile(source: string): Expression {
    try {
      // The time limit is kept by expression-limits.ts, inside the built-ins too.
      const compiled = jsonata(source, {
        stack: EXPRESSION_LIMITS.maxDepth,
        sequence: EXPRESSION_LIMITS.maxSequence,
        RegexEngine: LinearRegExp as unknown as RegExpConstructor,
      } as jsonata.JsonataOptions);
      compiled.registerFunction('parseJson', parseJsonText);
      return new Expression(source, compiled);
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
    if (!this.limited) {
      await installLimits(this.compiled);
      this.limited = true;
    }
    let result: unknown;
    try {
      result = await this.compiled.evaluate(input, bindings);
    } catch (error) {
      const failure = error as { code?: string; message?: string; error?: unknown };
      const limit =
        error instanceof ExpressionLimitError
          ? error.message
          : failure.error instanceof ExpressionLimitError // inside $eval
            ? failure.error.message
            : failure.code === 'D1011'
              ? `nested deeper than ${EXPRESSION_LIMITS.maxDepth}`
              : failure.code === 'D2014' || failure.code === 'D2015' // JSONata's own sequence limits
                ? (failure.message ?? null)
                : null;
      const why = limit ?? failure.message ?? String(error);
      const position = (error as { position?: unknown }).position;
      // A limit is marked, so that a dry run can refuse the draft outright (422); the position lets an editor point at the part that failed.
      const details = { ...(limit ? { limit: true } : {}), ...(typeof position === 'number' ? { position } : {}) };
      throw new AppError(ErrorCode.ExpressionFailed, `Expression ${quote(this.source)} failed: ${why}`, {}, Object.keys(details).length ? details : undefined);
    }
    return normalise(result, this.source);
  }
}

/**
 * `$parseJson(text)`: the value of a JSON text, such as a form tool's JSON sent inside one form
 * field (Jotform's `rawRequest`). `$eval` would read such a text too, but it runs it as an
 * expression: a sender's text would become code that sees the run's steps and variables, and
 * it takes at most EXPRESSION_LIMITS.maxEvalChars. Nothing (a missing field, an empty one) gives
 * nothing; a text that is not JSON, or nests deeper than the limit, fails the expression.
 */
function parseJsonText(text: unknown): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') throw new Error(`$parseJson takes a JSON text, got ${Array.isArray(text) ? 'a list' : typeof text}`);
  if (text.length > EXPRESSION_LIMITS.maxStringChars) throw new Error(`$parseJson takes a text of at most ${EXPRESSION_LIMITS.maxStringChars} characters`);
  let value: unknown;
  try {
    value = secureParse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch (error) {
    throw new Error(`$parseJson: the text is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (depthOver(value, EXPRESSION_LIMITS.maxDepth)) throw new Error(`$parseJson: the JSON nests deeper than ${EXPRESSION_LIMITS.maxDepth}`);
  return value;
}

function depthOver(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  return Object.values(value).some((item) => depthOver(item, limit - 1));
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
      {},
      { limit: true },
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
