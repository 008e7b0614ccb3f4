import type { Expression } from './expression.js';
import type { ProcessDefinition, StepDefinition } from './definition-types.js';
import type { StepType } from './step-type.js';

/** A definition ready to run: validated, with its expressions parsed once. */
export interface CompiledProcess {
  definition: ProcessDefinition;
  condition: Expression | null;
  steps: CompiledStep[];
}

export interface CompiledStep {
  definition: StepDefinition;
  type: StepType<never, unknown>;
  input: unknown;
  /**
   * The nested steps by branch name: "then", "else", "steps", "default", and "cases/<value>"
   * for each case of a switch. A step's result names the branch to run (StepResult.branch).
   */
  branches: Record<string, CompiledStep[]>;
  /** The step's retry option, its durations in milliseconds; null without one. */
  retry: StepRetry | null;
}

export interface StepRetry {
  attempts: number;
  delayMs: number;
  maxDelayMs: number;
}

/** The step of a process with this id, wherever it is nested; null when there is none. */
export function findStep(steps: CompiledStep[], id: string): CompiledStep | null {
  for (const step of steps) {
    if (step.definition.id === id) return step;
    for (const nested of Object.values(step.branches)) {
      const found = findStep(nested, id);
      if (found) return found;
    }
  }
  return null;
}
