import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DefinitionCompiler } from './definition-compiler.js';
import { StepRegistry } from './step-registry.js';
import { stepTypesForCompiling } from '../../test/support/step-types.js';

// The examples of docs/processes.md must be definitions (or steps) the engine accepts.
const docs = readFileSync(new URL('../../docs/processes.md', import.meta.url), 'utf8');
const blocks = [...docs.matchAll(/```json( process)?\n([\s\S]*?)\n```/g)].map((match) => ({
  whole: Boolean(match[1]),
  json: JSON.parse(match[2]) as Record<string, unknown>,
}));

const steps = stepTypesForCompiling();
const compiler = new DefinitionCompiler(new StepRegistry(steps));

describe('the examples of docs/processes.md', () => {
  it('are there, one per step type at least', () => {
    const typesShown = new Set(blocks.filter((block) => !block.whole).map((block) => block.json.type));
    expect([...typesShown].sort()).toEqual(steps.map((step) => step.type).sort());
  });

  it.each(blocks.map((block) => [block.whole ? `definition ${block.json.id}` : `step ${block.json.id}`, block] as const))('%s compiles', (_name, block) => {
    const definition = block.whole
      ? block.json
      : { id: 'example', name: 'Example', version: 1, activeByDefault: false, trigger: { type: 'webhook' }, steps: [block.json] };
    const result = compiler.compile(definition);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});
