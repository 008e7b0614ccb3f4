import type { StepType } from './step-type.js';

/** The step types the engine knows, by type name. Two step types with one name stop the start. */
export class StepRegistry {
  private readonly types = new Map<string, StepType<never, unknown>>();

  constructor(steps: StepType<never, unknown>[]) {
    for (const step of steps) {
      if (this.types.has(step.type)) throw new Error(`Step type "${step.type}" is registered twice`);
      this.types.set(step.type, step);
    }
  }

  get(type: string): StepType<never, unknown> | undefined {
    return this.types.get(type);
  }

  all(): StepType<never, unknown>[] {
    return [...this.types.values()];
  }
}
