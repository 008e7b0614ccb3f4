import { AppError, ErrorCode } from '../common/app-error.js';
import type { CompiledProcess, CompiledStep } from './compiled-process.js';
import { evaluate, isTrue, STEP_TOOLS, type PlannedWrite, type RunContext, type TraceEntry } from './step-type.js';

export type RunStatus = 'succeeded' | 'skipped' | 'failed';

export interface RunOutcome {
  status: RunStatus;
  error: AppError | null;
  trace: TraceEntry[];
  recordIds: string[];
  plannedWrites: PlannedWrite[];
}

export type RunInput = Pick<RunContext, 'tenantId' | 'webhookId' | 'payload' | 'webhook'> & { writeKey?: string; dryRun?: boolean };

const MAX_TRACE_OUTPUT_CHARS = 4000;

/**
 * Runs one compiled process for one webhook: the trigger condition, then the steps in order
 * (into the branch a step names, and once per item of a for-each), keeping a trace. Stops at
 * the first failing step.
 * An error a step throws is rethrown when it may pass (a retryable code, or no AppError at all:
 * trouble of the system, made TRANSIENT), so the job retries; any other code fails the run.
 */
export class ProcessRunner {
  async run(process: CompiledProcess, input: RunInput): Promise<RunOutcome> {
    const run: RunContext = {
      ...input,
      processId: process.definition.id,
      writeKey: input.writeKey ?? `${input.webhookId}:${process.definition.id}`,
      outputs: {},
      vars: {},
      recordIds: [],
      dryRun: input.dryRun ?? false,
      plannedWrites: [],
    };
    const trace: TraceEntry[] = [];
    const finish = (status: RunStatus, error: AppError | null = null): RunOutcome => ({
      status,
      error,
      trace,
      recordIds: run.recordIds,
      plannedWrites: run.plannedWrites,
    });
    if (process.condition) {
      let matches: unknown;
      try {
        matches = await evaluate(run, process.condition);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        trace.push({ step: 'trigger', type: 'condition', status: 'failed', durationMs: 0, error: error.message });
        return finish('failed', error);
      }
      trace.push({ step: 'trigger', type: 'condition', status: 'ok', durationMs: 0, output: isTrue(matches) });
      if (!isTrue(matches)) return finish('skipped');
    }
    const failure = await this.runSteps(process.steps, run, trace);
    return failure === 'stop' || failure === null ? finish('succeeded') : finish('failed', failure);
  }

  /** Null when every step succeeded, 'stop' when a step ended the run, else the error. */
  private async runSteps(steps: CompiledStep[], run: RunContext, trace: TraceEntry[]): Promise<AppError | 'stop' | null> {
    for (const step of steps) {
      const { id, type } = step.definition;
      const started = performance.now();
      let result;
      try {
        result = await step.type.execute({ step: step.definition, input: step.input as never, run, tools: STEP_TOOLS });
      } catch (error) {
        const failure = AppError.from(error);
        if (failure && !failure.retryable) result = { ok: false as const, error: failure };
        else throw failure ?? new AppError(ErrorCode.Transient, `Step "${id}" failed: ${message(error)}`);
      }
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      if (!result.ok) {
        const failure = AppError.from(result.error) ?? new AppError(ErrorCode.Internal, `Step "${id}" failed without an error code: ${message(result.error)}`);
        trace.push({ step: traceName(id, run), type, status: 'failed', durationMs, error: failure.message });
        const handled = step.branches.onError ? await this.runErrorSteps(step, failure, run, trace) : failure;
        if (handled !== null) return handled;
        continue;
      }
      run.outputs[id] = result.output ?? null;
      trace.push({ step: traceName(id, run), type, status: 'ok', durationMs, output: bounded(result.trace ?? result.output ?? null) });
      if (result.stop) return 'stop';
      let outcome = result.items
        ? await this.runIterations(step, result.items, run, trace)
        : result.parallel
          ? await this.runParallel(step, run, trace)
          : result.branch
            ? await this.runSteps(step.branches[result.branch] ?? [], run, trace)
            : null;
      // A failure in the step's nested steps is the step's failure: its onError takes it too.
      if (outcome instanceof AppError && step.branches.onError) outcome = await this.runErrorSteps(step, outcome, run, trace);
      if (outcome !== null) return outcome;
    }
    return null;
  }

  /**
   * A parallel: its branches side by side (their steps interleave where they wait, e.g. on HTTP
   * or the database), joined once all have ended. Each branch keeps its own trace, appended in
   * branch order. Every branch runs to its end even when another fails; the parallel then fails
   * with the first failing branch's error (in branch order), which its onError may handle
   * (runSteps).
   */
  private async runParallel(step: CompiledStep, run: RunContext, trace: TraceEntry[]): Promise<AppError | 'stop' | null> {
    const branches = Object.keys(step.branches).filter((name) => name.startsWith('branches/'));
    const traces = branches.map(() => [] as TraceEntry[]);
    // Each branch has its own loop position and write key (a for-each in one must not move the
    // other's); outputs, variables and records are the run's, shared.
    const settled = await Promise.allSettled(branches.map((name, index) => this.runSteps(step.branches[name], { ...run }, traces[index])));
    trace.push(...traces.flat());
    // A thrown error (one that may pass) makes the job retry, as anywhere else.
    const thrown = settled.find((outcome) => outcome.status === 'rejected');
    if (thrown) throw thrown.reason;
    const outcomes = settled.map((outcome) => (outcome as PromiseFulfilledResult<AppError | 'stop' | null>).value);
    const failure = outcomes.find((outcome) => outcome instanceof AppError);
    if (failure) {
      trace.push({ step: traceName(step.definition.id, run), type: step.definition.type, status: 'failed', durationMs: 0, error: failure.message });
      return failure;
    }
    return outcomes.includes('stop') ? 'stop' : null;
  }

  /**
   * The onError steps of a step that failed, with `$error`; the step's output is `{ error }`.
   * Null when they ran through, so the run goes on after the failed step; else what ended them.
   */
  private async runErrorSteps(step: CompiledStep, failure: AppError, run: RunContext, trace: TraceEntry[]): Promise<AppError | 'stop' | null> {
    const previous = run.error;
    run.error = { step: step.definition.id, code: failure.code, message: failure.message };
    run.outputs[step.definition.id] = { error: run.error };
    try {
      return await this.runSteps(step.branches.onError, run, trace);
    } finally {
      run.error = previous;
    }
  }

  /**
   * A for-each: its "steps" once per item, in order, with `$item` and `$index`. Each iteration
   * writes under a key of its own (the loop's step id and the index), so a repeated run finds the
   * records of each iteration instead of writing them again. The step's output becomes the
   * iterations' outputs, each the outputs of its steps by id.
   */
  private async runIterations(step: CompiledStep, items: unknown[], run: RunContext, trace: TraceEntry[]): Promise<AppError | 'stop' | null> {
    const { writeKey, loop } = run;
    const body = step.branches.steps ?? [];
    const outputs: Record<string, unknown>[] = [];
    try {
      for (const [index, item] of items.entries()) {
        Object.assign(run, { writeKey: `${writeKey}:${step.definition.id}[${index}]`, loop: { item, index, name: loopName(step.definition.id, index, loop) } });
        const outcome = await this.runSteps(body, run, trace);
        outputs.push(
          Object.fromEntries(
            body.filter((nested) => nested.definition.id in run.outputs).map((nested) => [nested.definition.id, run.outputs[nested.definition.id]]),
          ),
        );
        if (outcome !== null) return outcome;
      }
    } finally {
      Object.assign(run, { writeKey, loop });
    }
    run.outputs[step.definition.id] = outputs;
    return null;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Keeps traces small: a long output is cut to a preview. */
function bounded(output: unknown): unknown {
  const text = JSON.stringify(output);
  if (text === undefined || text.length <= MAX_TRACE_OUTPUT_CHARS) return output;
  return { truncated: true, preview: text.slice(0, MAX_TRACE_OUTPUT_CHARS) };
}

/** Where a step ran, for the trace: its id, with the loop indexes it ran at ("line[2]", "line[2].tax[0]"). */
function traceName(id: string, run: RunContext): string {
  return run.loop ? `${run.loop.name}.${id}` : id;
}

function loopName(id: string, index: number, outer: RunContext['loop']): string {
  return outer ? `${outer.name}.${id}[${index}]` : `${id}[${index}]`;
}
