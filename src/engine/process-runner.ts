import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { CompiledProcess, CompiledStep } from './compiled-process.js';
import type { InstanceState, ProcessCall, ResumePoint, StepMemo, Wait } from './instance-state.js';
import {
  evaluate,
  isTrue,
  STEP_TOOLS,
  type PlannedWrite,
  type RecordWrite,
  type RunContext,
  type StepResult,
  type TraceEntry,
  type WaitRequest,
} from './step-type.js';

export type RunStatus = 'completed' | 'skipped' | 'failed' | 'waiting';

export interface RunOutcome {
  status: RunStatus;
  error: AppError | null;
  trace: TraceEntry[];
  recordIds: string[];
  plannedWrites: PlannedWrite[];
  /** Records created or updated by this run (this part of it, when resumed): for record triggers. */
  writes: RecordWrite[];
  /** What a waiting instance waits for. */
  waits: Wait[];
  /** Instances of other processes its call-process steps start (to be started by the caller of the runner). */
  calls: ProcessCall[];
  /** What a later job resumes from (worth keeping when the run waits or failed); null when no run took place. */
  state: InstanceState | null;
}

export type RunInput = Pick<RunContext, 'tenantId' | 'webhookId' | 'payload' | 'webhook' | 'depth'> & {
  writeKey?: string;
  dryRun?: boolean;
  /** A waiting or failed instance going on: the steps that ended are replayed, not run again. */
  resume?: ResumePoint & { recordIds: string[] };
};

/** How a list of steps ended: null when it ran through. */
type Ending = AppError | 'stop' | 'wait' | null;

/** One run's bookkeeping, beside the RunContext its steps see. */
interface Execution {
  trace: TraceEntry[];
  memo: Record<string, StepMemo>;
  resolved: Record<string, unknown>;
  failed: Record<string, { code: string; message: string }>;
  pending: Map<string, Wait>;
  calls: ProcessCall[];
  waits: Wait[];
  retries: Record<string, number>;
}

const MAX_TRACE_OUTPUT_CHARS = 4000;
/** A retry's delay is shortened by up to this fraction, so steps that failed together do not retry together. */
const RETRY_JITTER = 0.2;

/**
 * Runs one compiled process for one instance: the trigger condition, then the steps in order
 * (into the branch a step names, once per item of a for-each, side by side for a parallel),
 * keeping a trace. Stops at the first failing step, or where a step waits.
 * Every step that ended is remembered by its path (the memo), so a run that resumes a waiting
 * instance, or retries a failed one, replays them without running them again and carries on
 * from the step where it stopped.
 * An error a step throws is rethrown when it may pass (a retryable code, or no AppError at all:
 * trouble of the system, made TRANSIENT), so the job retries; any other code fails the run.
 */
export class ProcessRunner {
  async run(process: CompiledProcess, input: RunInput): Promise<RunOutcome> {
    const { resume, ...context } = input;
    const run: RunContext = {
      ...context,
      processId: process.definition.id,
      writeKey: resume?.state.writeKey ?? input.writeKey ?? `${input.webhookId}:${process.definition.id}`,
      outputs: { ...resume?.state.outputs },
      vars: { ...resume?.state.vars },
      recordIds: [...(resume?.recordIds ?? [])],
      writes: [],
      dryRun: input.dryRun ?? false,
      plannedWrites: [],
    };
    const execution: Execution = {
      trace: [],
      memo: { ...resume?.state.memo },
      resolved: resume?.resolved ?? {},
      failed: resume?.failed ?? {},
      calls: [],
      pending: new Map((resume?.pending ?? []).map((wait) => [wait.step, wait])),
      waits: [],
      retries: { ...resume?.state.retries },
    };
    const { trace } = execution;
    const finish = (status: RunStatus, error: AppError | null = null): RunOutcome => ({
      status,
      error,
      trace,
      recordIds: run.recordIds,
      writes: run.writes,
      plannedWrites: run.plannedWrites,
      waits: execution.waits,
      calls: execution.calls,
      state: { writeKey: run.writeKey, vars: run.vars, outputs: run.outputs, memo: execution.memo, retries: execution.retries },
    });
    // A resumed instance passed its trigger condition when it started.
    if (process.condition && !resume) {
      const at = new Date().toISOString();
      let matches: unknown;
      try {
        matches = await evaluate(run, process.condition);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        trace.push({ step: 'trigger', type: 'condition', status: 'failed', at, durationMs: 0, error: error.message });
        return finish('failed', error);
      }
      trace.push({ step: 'trigger', type: 'condition', status: 'ok', at, durationMs: 0, output: isTrue(matches) });
      if (!isTrue(matches)) return finish('skipped');
    }
    const ending = await this.runSteps(process.steps, run, execution);
    if (ending instanceof AppError) return finish('failed', ending);
    return finish(ending === 'wait' ? 'waiting' : 'completed');
  }

  private async runSteps(steps: CompiledStep[], run: RunContext, execution: Execution): Promise<Ending> {
    for (const step of steps) {
      const path = traceName(step.definition.id, run);
      const memo = execution.memo[path];
      if (memo?.error) {
        // Replayed: the step failed and its onError steps took it.
        const handled = await this.runErrorSteps(step, new AppError(memo.error.code as ErrorCode, memo.error.message), run, execution);
        if (handled !== null) return handled;
        continue;
      }
      const pending = execution.pending.get(path);
      if (pending) {
        execution.waits.push(pending);
        return 'wait';
      }
      const result = memo ? replayed(memo) : await this.runStep(step, path, run, execution);
      if (!result) return 'wait';
      if (!result.ok) {
        const handled = step.branches.onError ? await this.runErrorSteps(step, result.error, run, execution) : result.error;
        if (handled !== null) return handled;
        continue;
      }
      run.outputs[step.definition.id] = result.output ?? null;
      if (result.stop) return 'stop';
      let outcome: Ending = result.items
        ? await this.runIterations(step, result.items, run, execution)
        : result.parallel
          ? await this.runParallel(step, run, execution)
          : result.branch
            ? await this.runSteps(step.branches[result.branch] ?? [], run, execution)
            : null;
      // A failure in the step's nested steps is the step's failure: its onError takes it too.
      if (outcome instanceof AppError && step.branches.onError) outcome = await this.runErrorSteps(step, outcome, run, execution);
      if (outcome !== null) return outcome;
    }
    return null;
  }

  /**
   * Runs one step that has not ended before (or settles a wait a resumption resolved), traces
   * it and remembers it. Answers null when the step waits: the instance is parked there.
   */
  private async runStep(step: CompiledStep, path: string, run: RunContext, execution: Execution): Promise<StepResult | null> {
    const { id, type } = step.definition;
    const at = new Date().toISOString();
    const failedWait = execution.failed[path];
    if (failedWait) {
      execution.trace.push({ step: path, type, status: 'failed', at, durationMs: 0, error: failedWait.message });
      return { ok: false, error: new AppError(failedWait.code as ErrorCode, failedWait.message) };
    }
    if (path in execution.resolved) {
      const output = execution.resolved[path];
      execution.memo[path] = { output };
      execution.trace.push({ step: path, type, status: 'ok', at, durationMs: 0, output: bounded(output) });
      return { ok: true, output };
    }
    const started = performance.now();
    let result: StepResult;
    try {
      result = await step.type.execute({ step: step.definition, input: step.input as never, run, tools: STEP_TOOLS });
    } catch (error) {
      const failure = AppError.from(error);
      if (failure && !failure.retryable) result = { ok: false as const, error: failure };
      else {
        const transient = failure ?? new AppError(ErrorCode.Transient, `Step "${id}" failed: ${message(error)}`);
        // Without a retry option (or in a dry run), the job retries: the queue's backoff.
        if (!step.retry || run.dryRun) throw transient;
        const durationMs = Math.round((performance.now() - started) * 100) / 100;
        return this.retryLater(step, path, transient, { at, durationMs }, execution);
      }
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    if (!result.ok) {
      const failure = AppError.from(result.error) ?? new AppError(ErrorCode.Internal, `Step "${id}" failed without an error code: ${message(result.error)}`);
      execution.trace.push({ step: path, type, status: 'failed', at, durationMs, error: failure.message });
      return { ok: false, error: failure };
    }
    if (result.wait) {
      const wait = waitAt(path, id, result.wait);
      execution.waits.push(wait);
      execution.trace.push({ step: path, type, status: 'waiting', at, durationMs, output: bounded(result.trace ?? result.output ?? null) });
      return null;
    }
    if (result.call) {
      const call = { ...result.call, step: path, childId: childId(run.writeKey, path) };
      execution.calls.push(call);
      if (call.wait) {
        execution.waits.push({ step: path, stepId: id, kind: 'process', childId: call.childId, processId: call.processId });
        execution.trace.push({ step: path, type, status: 'waiting', at, durationMs, output: { waitsForInstance: call.childId, processId: call.processId } });
        return null;
      }
      result = { ok: true, output: { instanceId: call.childId, processId: call.processId } };
    }
    execution.memo[path] = memoOf(result);
    execution.trace.push({ step: path, type, status: 'ok', at, durationMs, output: bounded(result.trace ?? result.output ?? null) });
    return result;
  }

  /**
   * A step with a retry option failed for a reason that may pass: the instance waits (a timer,
   * no worker held) and the step runs again then; the delay doubles after each attempt, capped,
   * less up to a fifth of jitter. After the last attempt the failure is the step's: its onError
   * takes it, or the instance fails (and may be retried by hand from there).
   */
  private retryLater(step: CompiledStep, path: string, failure: AppError, time: { at: string; durationMs: number }, execution: Execution): StepResult | null {
    const retry = step.retry!;
    const { id, type } = step.definition;
    const made = execution.retries[path] ?? 1;
    if (made >= retry.attempts) {
      const error = new AppError(failure.code, `${failure.message} (attempt ${made} of ${retry.attempts}, the last)`, {}, failure.details);
      execution.trace.push({ step: path, type, status: 'failed', ...time, error: error.message });
      return { ok: false, error };
    }
    execution.retries[path] = made + 1;
    const delayMs = Math.min(retry.maxDelayMs, retry.delayMs * 2 ** (made - 1)) * (1 - RETRY_JITTER * Math.random());
    const until = new Date(Date.now() + delayMs).toISOString();
    execution.waits.push({ step: path, stepId: id, kind: 'retry', until, attempt: made + 1, error: failure.message });
    execution.trace.push({
      step: path,
      type,
      status: 'failed',
      ...time,
      error: `${failure.message} (attempt ${made} of ${retry.attempts}; the next at ${until})`,
    });
    return null;
  }

  /**
   * A parallel: its branches side by side (their steps interleave where they wait, e.g. on HTTP
   * or the database), joined once all have ended. Each branch keeps its own trace, appended in
   * branch order. Every branch runs to its end even when another fails; the parallel then fails
   * with the first failing branch's error (in branch order), which its onError may handle
   * (runSteps). A branch that waits makes the parallel wait once the others have ended: the
   * instance is parked with every wait of its branches.
   */
  private async runParallel(step: CompiledStep, run: RunContext, execution: Execution): Promise<Ending> {
    const branches = Object.keys(step.branches).filter((name) => name.startsWith('branches/'));
    const traces = branches.map(() => [] as TraceEntry[]);
    // Each branch has its own loop position and write key (a for-each in one must not move the
    // other's); outputs, variables, records and the memo are the run's, shared.
    const settled = await Promise.allSettled(
      branches.map((name, index) => this.runSteps(step.branches[name], { ...run }, { ...execution, trace: traces[index] })),
    );
    execution.trace.push(...traces.flat());
    // A thrown error (one that may pass) makes the job retry, as anywhere else.
    const thrown = settled.find((outcome) => outcome.status === 'rejected');
    if (thrown) throw thrown.reason;
    const outcomes = settled.map((outcome) => (outcome as PromiseFulfilledResult<Ending>).value);
    const failure = outcomes.find((outcome) => outcome instanceof AppError);
    if (failure) {
      execution.trace.push({
        step: traceName(step.definition.id, run),
        type: step.definition.type,
        status: 'failed',
        at: new Date().toISOString(),
        durationMs: 0,
        error: failure.message,
      });
      return failure;
    }
    return outcomes.includes('stop') ? 'stop' : outcomes.includes('wait') ? 'wait' : null;
  }

  /**
   * The onError steps of a step that failed, with `$error`; the step's output is `{ error }`.
   * Null when they ran through, so the run goes on after the failed step; else what ended them.
   */
  private async runErrorSteps(step: CompiledStep, failure: AppError, run: RunContext, execution: Execution): Promise<Ending> {
    const previous = run.error;
    run.error = { step: step.definition.id, code: failure.code, message: failure.message };
    run.outputs[step.definition.id] = { error: run.error };
    execution.memo[traceName(step.definition.id, run)] = { output: { error: run.error }, error: { code: failure.code, message: failure.message } };
    try {
      return await this.runSteps(step.branches.onError, run, execution);
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
  private async runIterations(step: CompiledStep, items: unknown[], run: RunContext, execution: Execution): Promise<Ending> {
    const { writeKey, loop } = run;
    const body = step.branches.steps ?? [];
    const outputs: Record<string, unknown>[] = [];
    try {
      for (const [index, item] of items.entries()) {
        Object.assign(run, { writeKey: `${writeKey}:${step.definition.id}[${index}]`, loop: { item, index, name: loopName(step.definition.id, index, loop) } });
        const outcome = await this.runSteps(body, run, execution);
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

/** The id of the instance a call-process step starts: the same however often the step is replayed or retried. */
function childId(writeKey: string, path: string): string {
  const hex = createHash('sha256').update(`call:${writeKey}:${path}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function replayed(memo: StepMemo): StepResult {
  const { error: _error, ...result } = memo;
  return { ok: true, ...result };
}

function memoOf(result: StepResult & { ok: true }): StepMemo {
  const memo: StepMemo = { output: result.output ?? null };
  if (result.branch) memo.branch = result.branch;
  if (result.items) memo.items = result.items;
  if (result.parallel) memo.parallel = true;
  if (result.stop) memo.stop = true;
  return memo;
}

function waitAt(step: string, stepId: string, request: WaitRequest): Wait {
  if (request.kind === 'timer') return { step, stepId, kind: 'timer', until: request.until.toISOString() };
  if (request.kind === 'approval')
    return { step, stepId, kind: 'approval', title: request.title, details: request.details, timeoutAt: request.timeoutAt.toISOString() };
  return { step, stepId, kind: 'webhook', key: request.key, timeoutAt: request.timeoutAt?.toISOString() ?? null };
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
