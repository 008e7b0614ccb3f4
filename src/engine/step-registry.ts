import { ConfigError } from '../config/config.js';
import type { StepType } from './step-type.js';
import type { ExternalStepType } from './step-type-modules.js';

/**
 * The step types the engine knows, by type name: the built-in ones, then those of
 * STEP_TYPE_MODULES. Two step types with one name stop the start.
 */
export class StepRegistry {
  private readonly types = new Map<string, StepType<never, unknown>>();
  /** Where each step type of a module came from; built-in ones have none. */
  private readonly origins = new Map<string, string>();

  constructor(steps: StepType<never, unknown>[], external: ExternalStepType[] = []) {
    for (const step of steps) {
      if (this.types.has(step.type)) throw new Error(`Step type "${step.type}" is registered twice`);
      this.types.set(step.type, step);
    }
    for (const { step, origin } of external) {
      if (this.types.has(step.type)) {
        const other = this.origins.get(step.type);
        const taken = other === undefined ? 'is a built-in step type' : `is registered by "${other}" already`;
        throw new ConfigError(`STEP_TYPE_MODULES: "${origin}" registers the step type "${step.type}", which ${taken}`);
      }
      this.types.set(step.type, step);
      this.origins.set(step.type, origin);
    }
  }

  get(type: string): StepType<never, unknown> | undefined {
    return this.types.get(type);
  }

  all(): StepType<never, unknown>[] {
    return [...this.types.values()];
  }
}
