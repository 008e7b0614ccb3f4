import type { AppError } from '../common/app-error.js';

/** What a step can see of the run it belongs to. */
export interface RunContext {
  tenantId: string;
  webhookId: string;
  processId: string;
  payload: Record<string, unknown>;
  /** Outputs of the steps run so far, by step id. */
  outputs: Record<string, unknown>;
  /** Records written by this run. */
  recordIds: string[];
}

export interface StepCall<I> {
  stepId: string;
  input: I;
  run: RunContext;
}

/**
 * A step returns its output or an error; it does not throw for a webhook it cannot handle.
 * An exception thrown by a step means trouble of the system (database, network) and makes
 * the job retry.
 */
export type StepResult = { ok: true; output: unknown; trace?: unknown } | { ok: false; error: AppError };

/** A step type: a plug-in the engine runs for each step of a definition that names it. */
export interface StepType<I = Record<string, unknown>> {
  readonly type: string;
  /** JSON Schema of the step's input, checked when a definition is loaded. */
  readonly inputSchema: Record<string, unknown>;
  /** Input properties whose value is the id of an earlier step whose output this step reads. */
  readonly outputInputs: readonly string[];
  execute(call: StepCall<I>): Promise<StepResult>;
}

export interface TraceEntry {
  step: string;
  type: string;
  status: 'ok' | 'failed';
  durationMs: number;
  output?: unknown;
  error?: string;
}

/** Reads the output of an earlier step, which the definition loader guaranteed exists. */
export function outputOf<T>(run: RunContext, stepId: string): T {
  return run.outputs[stepId] as T;
}
