import { AppError, ErrorCode } from '../common/app-error.js';
import type { ProcessDefinition } from './process-definition.js';
import type { StepRegistry } from './step-registry.js';
import type { RunContext, TraceEntry } from './step-type.js';

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  error: AppError | null;
  trace: TraceEntry[];
  recordIds: string[];
}

const MAX_TRACE_OUTPUT_CHARS = 4000;

/** Runs the steps of one definition in order, keeping a trace; stops at the first failing step. */
export class ProcessRunner {
  constructor(private readonly registry: StepRegistry) {}

  async run(
    definition: ProcessDefinition,
    context: Omit<RunContext, 'outputs' | 'recordIds' | 'processId'>,
  ): Promise<RunOutcome> {
    const run: RunContext = { ...context, processId: definition.id, outputs: {}, recordIds: [] };
    const trace: TraceEntry[] = [];
    for (const step of definition.steps) {
      const type = this.registry.get(step.type);
      // Definitions are validated on load, so this means a definition bypassed validation.
      if (!type) throw new AppError(ErrorCode.InvalidDefinition, `Unknown step type "${step.type}"`);
      const started = performance.now();
      let result;
      try {
        result = await type.execute({ stepId: step.id, input: step.input ?? {}, run });
      } catch (error) {
        // A thrown error is trouble of the system, not of the webhook: worth another attempt.
        throw error instanceof AppError ? error : new AppError(ErrorCode.Transient, describe(error, step.id));
      }
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      if (!result.ok) {
        trace.push({ step: step.id, type: step.type, status: 'failed', durationMs, error: result.error.message });
        return { status: 'failed', error: result.error, trace, recordIds: run.recordIds };
      }
      run.outputs[step.id] = result.output;
      trace.push({ step: step.id, type: step.type, status: 'ok', durationMs, output: bounded(result.trace ?? result.output) });
    }
    return { status: 'succeeded', error: null, trace, recordIds: run.recordIds };
  }
}

function describe(error: unknown, stepId: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Step "${stepId}" failed: ${message}`;
}

/** Keeps traces small: a long output is cut to a preview. */
function bounded(output: unknown): unknown {
  const text = JSON.stringify(output);
  if (text === undefined || text.length <= MAX_TRACE_OUTPUT_CHARS) return output;
  return { truncated: true, preview: text.slice(0, MAX_TRACE_OUTPUT_CHARS) };
}
