import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessDefinition } from './process-definition.js';
import type { StepRegistry } from './step-registry.js';

export type Validation = { ok: true; definition: ProcessDefinition } | { ok: false; problems: string[] };

/**
 * Checks a definition against the published JSON Schema, the step registry (known types,
 * valid inputs) and the references between steps. Every problem names its JSON path.
 */
export class DefinitionValidator {
  private readonly validateSchema: ValidateFunction;

  constructor(
    processesDir: string,
    private readonly registry: StepRegistry,
  ) {
    const schema = JSON.parse(readFileSync(join(processesDir, 'process.schema.json'), 'utf8'));
    this.validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }

  validate(raw: unknown, expectedId?: string): Validation {
    if (!this.validateSchema(raw)) {
      return { ok: false, problems: (this.validateSchema.errors ?? []).map(describeSchemaError) };
    }
    const definition = raw as ProcessDefinition;
    const problems: string[] = [];
    if (expectedId !== undefined && definition.id !== expectedId) {
      problems.push(`/id: "${definition.id}" must equal the file name "${expectedId}"`);
    }
    const earlier = new Set<string>();
    definition.steps.forEach((step, index) => {
      const path = `/steps/${index}`;
      const type = this.registry.get(step.type);
      if (earlier.has(step.id)) problems.push(`${path}/id: "${step.id}" is used by an earlier step`);
      if (!type) {
        problems.push(
          `${path}/type: unknown step type "${step.type}" (known: ${this.registry.typeNames().join(', ')})`,
        );
      } else {
        for (const problem of this.registry.inputProblems(step.type, step.input)) {
          problems.push(`${path}/input${problem.startsWith('/:') ? problem.slice(1) : problem}`);
        }
        for (const name of type.outputInputs) {
          const reference = step.input?.[name];
          if (typeof reference === 'string' && !earlier.has(reference)) {
            problems.push(`${path}/input/${name}: "${reference}" is not the id of an earlier step`);
          }
        }
      }
      earlier.add(step.id);
    });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, definition };
  }
}

function describeSchemaError(error: ErrorObject): string {
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${path}: unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === 'const') {
    return `${path}: must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
  }
  return `${path}: ${error.message ?? 'is invalid'}`;
}
