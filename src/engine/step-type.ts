import { AppError, ErrorCode, isErrorCode } from '../common/app-error.js';
import { Expression, ExpressionSyntaxError } from './expression.js';
import type { BranchProperty, StepDefinition } from './definition-types.js';

/** What a step can see of the run it belongs to. */
export interface RunContext {
  tenantId: string;
  /** The webhook that started the instance, or the instance's own id when none did. */
  webhookId: string;
  processId: string;
  /** Prefix of the keys of records this run writes (see RunProcessJob.writeKey). */
  writeKey: string;
  /** The webhook's parameters: the root (`$`) of every expression. */
  payload: Record<string, unknown>;
  /** The webhook that started the instance (`$webhook`); null for one a schedule started. */
  webhook: { id: string; apiKeyId: string; apiKeyName: string; receivedAt: string } | null;
  /** Outputs of the steps run so far, by step id (`$steps` in expressions). */
  outputs: Record<string, unknown>;
  /** Variables set by set-variable steps (`$vars` in expressions). */
  vars: Record<string, unknown>;
  /** Records written (or, in a dry run, that would be written) by this run. */
  recordIds: string[];
  /** Records this run created or updated (not in a dry run): what record triggers start processes for. */
  writes: RecordWrite[];
  /** A dry run writes nothing; record steps describe what they would write here instead. */
  dryRun: boolean;
  plannedWrites: PlannedWrite[];
  /** Inside a for-each: the current item and its index (`$item`, `$index` in expressions). */
  loop?: { item: unknown; index: number; name: string };
  /** In the onError steps of a failed step: what failed (`$error` in expressions). */
  error?: { step: string; code: string; message: string };
  /** How many call-process steps above this instance started it (0: a webhook or a schedule did). */
  depth?: number;
}

/**
 * Marks a property of an input schema whose text is an expression (of an object of free keys:
 * its values are). Validation ignores it (Ajv runs with strict: false); the console's Designer
 * offers a sample's parameters and shows the value on the sample for such fields.
 */
export const EXPRESSION_MARK = { 'x-expression': true } as const;

/** A context to evaluate an expression outside a run (a trigger's condition, a webhook's correlation key): it writes nothing. */
export function expressionContext(base: Pick<RunContext, 'tenantId' | 'webhookId' | 'payload' | 'webhook'> & { processId?: string }): RunContext {
  return { processId: '', ...base, writeKey: '', outputs: {}, vars: {}, recordIds: [], writes: [], dryRun: true, plannedWrites: [] };
}

export interface RecordWrite {
  step: string;
  object: string;
  recordId: string;
  action: 'created' | 'updated';
}

export interface PlannedWrite {
  step: string;
  action: 'create' | 'update';
  object: string;
  recordId: string | null;
  values: Record<string, unknown>;
}

export interface StepCall<C> {
  step: StepDefinition;
  input: C;
  run: RunContext;
  /** The engine's helpers, for step types that cannot import them (those of STEP_TYPE_MODULES). */
  tools: StepTools;
}

/**
 * A step returns its output or an error; it does not throw for a webhook it cannot handle.
 * An exception thrown by a step means trouble of the system (database, network) and makes
 * the job retry. `branch` picks the nested steps to run next; `stop` ends the run.
 */
export type StepResult =
  | {
      ok: true;
      output?: unknown;
      trace?: unknown;
      /** The nested steps to run next, by branch name (CompiledStep.branches). */
      branch?: string;
      /** parallel: run every "branches/<n>" branch side by side and join them. */
      parallel?: boolean;
      /** for-each: the items to run the "steps" branch for, one after the other; the output becomes the iterations' outputs. */
      items?: unknown[];
      stop?: boolean;
      /** Parks the instance at this step until the wait is over (a resumption gives the step its output then). */
      wait?: WaitRequest;
      /** call-process: starts an instance of another process of the tenant, and waits for it to end when `wait`. */
      call?: { processId: string; payload: Record<string, unknown>; wait: boolean };
    }
  | { ok: false; error: AppError };

/** What a waiting step waits for: a time, a later webhook giving the same correlation key, or someone's decision. */
export type WaitRequest =
  | { kind: 'timer'; until: Date }
  | { kind: 'webhook'; key: string; timeoutAt: Date | null }
  | { kind: 'approval'; title: string; details: unknown; timeoutAt: Date };

/** A step type: a plug-in the engine runs for each step of a definition that names it. */
export interface StepType<I = Record<string, unknown>, C = I> {
  readonly type: string;
  /** One line for people choosing a step type. */
  readonly description: string;
  /** JSON Schema of the step's input, checked when a definition is loaded or saved. */
  readonly inputSchema: Record<string, unknown>;
  /** Turns the checked input into what execute receives: expressions are parsed here, once per definition version. */
  compile?(input: I, tools: StepTools): C;
  execute(call: StepCall<C>): Promise<StepResult>;
  /** The properties of nested steps the type takes (then/else, steps, cases/default); none when absent. */
  readonly branches?: readonly BranchProperty[];
}

/** A problem of one input property, found while compiling; the validator adds the step's path. */
export class InputProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function compileExpression(source: string, path: string): Expression {
  try {
    return Expression.compile(source);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) throw new InputProblem(path, error.message);
    throw error;
  }
}

/** A value in a definition: a string is an expression, anything else a constant. */
export type ValueSource = Expression | { constant: unknown };

export function compileValue(value: unknown, path: string): ValueSource {
  return typeof value === 'string' ? compileExpression(value, path) : { constant: value };
}

export function compileFields(fields: Record<string, unknown>, path: string): Map<string, ValueSource> {
  return new Map(Object.entries(fields).map(([name, value]) => [name, compileValue(value, `${path}/${name}`)]));
}

/** Truthiness of conditions (trigger and condition steps alike): false, 0, '', [], null and nothing are false. */
export function isTrue(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

export async function evaluate(run: RunContext, source: ValueSource): Promise<unknown> {
  if (!(source instanceof Expression)) return source.constant;
  const loop = run.loop ? { item: run.loop.item, index: run.loop.index } : {};
  return source.evaluate(run.payload, { steps: run.outputs, vars: run.vars, webhook: run.webhook, ...loop, ...(run.error ? { error: run.error } : {}) });
}

/** Evaluates each field; fields whose expression yields nothing are left out. */
export async function evaluateFields(run: RunContext, fields: Map<string, ValueSource>): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [name, source] of fields) {
    const value = await evaluate(run, source);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** A trace entry per step that ran, in order: the instance's timeline. */
export interface TraceEntry {
  step: string;
  type: string;
  /** `waiting`: the instance was parked at the step; its `ok` entry follows once it goes on. */
  status: 'ok' | 'failed' | 'waiting';
  /** When the step started (absent in runs stored before instances). */
  at?: string;
  durationMs: number;
  output?: unknown;
  error?: string;
}

/**
 * What the engine hands every step type (compile's second argument, StepCall.tools): the helpers
 * of this file and the error types, for a step type of a module of its own (STEP_TYPE_MODULES)
 * that cannot import the engine's files.
 */
export interface StepTools {
  compileExpression(source: string, path: string): Expression;
  compileValue(value: unknown, path: string): ValueSource;
  compileFields(fields: Record<string, unknown>, path: string): Map<string, ValueSource>;
  evaluate(run: RunContext, source: ValueSource): Promise<unknown>;
  evaluateFields(run: RunContext, fields: Map<string, ValueSource>): Promise<Record<string, unknown>>;
  isTrue(value: unknown): boolean;
  /** A problem of the input at a path inside it, for compile to throw. */
  inputProblem(path: string, message: string): InputProblem;
  /** An error to return as `{ ok: false, error }`, or to throw (see ERROR_CODES for what each code does). */
  error(code: ErrorCode | `${ErrorCode}`, message: string, details?: Record<string, unknown>): AppError;
}

export const STEP_TOOLS: StepTools = Object.freeze({
  compileExpression,
  compileValue,
  compileFields,
  evaluate,
  evaluateFields,
  isTrue,
  inputProblem: (path: string, message: string) => new InputProblem(path, message),
  error: toolError,
});

/** A code that is not one of ErrorCode (plain JavaScript can pass anything) is the step type's fault: INTERNAL, naming it. */
function toolError(code: ErrorCode | `${ErrorCode}`, message: string, details?: Record<string, unknown>): AppError {
  if (isErrorCode(code)) return new AppError(code, message, {}, details);
  return new AppError(
    ErrorCode.Internal,
    `${message} (the step type gave the error code ${JSON.stringify(code)}, which is not one of ${Object.values(ErrorCode).join(', ')})`,
  );
}
