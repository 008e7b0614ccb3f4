import { Ajv, type ValidateFunction } from 'ajv';
import type { StepType } from './step-type.js';

interface Registered {
  step: StepType;
  validateInput: ValidateFunction;
}

/** The step types the engine knows, by type name, with their compiled input schemas. */
export class StepRegistry {
  private readonly types = new Map<string, Registered>();

  constructor(steps: StepType[]) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    for (const step of steps) {
      if (this.types.has(step.type)) throw new Error(`Step type "${step.type}" is registered twice`);
      this.types.set(step.type, { step, validateInput: ajv.compile(step.inputSchema) });
    }
  }

  get(type: string): StepType | undefined {
    return this.types.get(type)?.step;
  }

  typeNames(): string[] {
    return [...this.types.keys()];
  }

  /** Problems of a step's input as "path: message" lines; empty when it is valid. */
  inputProblems(type: string, input: unknown): string[] {
    const registered = this.types.get(type);
    if (!registered) return [`unknown step type "${type}"`];
    if (registered.validateInput(input ?? {})) return [];
    return (registered.validateInput.errors ?? []).map(
      (error) => `${error.instancePath || '/'}: ${error.message ?? 'is invalid'}`,
    );
  }
}
