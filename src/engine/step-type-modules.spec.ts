import { afterAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/config.js';
import { DefinitionCompiler, formatProblem } from './definition-compiler.js';
import { ProcessRunner } from './process-runner.js';
import { StepRegistry } from './step-registry.js';
import { loadStepTypeModulesAtStart, stepTypesForCompiling } from '../../test/support/step-types.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/step-types/', import.meta.url));
/** Written beside the fixtures, so that their imports (@nestjs/common) resolve as theirs do. */
const scratch = mkdtempSync(join(FIXTURES, '.scratch-'));

/** A module file of the test's own, written to the scratch folder; answers its STEP_TYPE_MODULES entry. */
function moduleFile(name: string, source: string): string {
  writeFileSync(join(scratch, name), source);
  return `./${relative(process.cwd(), join(scratch, name))}`;
}

const withStep = (step: string, providers = '[Step]', listed = '[Step]') => `
import { Module } from '@nestjs/common';
export class Step { ${step} }
export default class Steps { static stepTypes = ${listed}; }
Module({ providers: ${providers} })(Steps);
`;
const GOOD = `type = 'scratch-step'; description = 'x'; inputSchema = { type: 'object' }; async execute() { return { ok: true }; }`;

describe('loadStepTypeModules', () => {
  const apps: INestApplicationContext[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const load = async (entries: string) => {
    const { app, external } = await loadStepTypeModulesAtStart(entries);
    apps.push(app);
    return external;
  };
  const refusal = async (entries: string) => {
    const error = await load(entries).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  };

  it('sets up a module with its own providers (and their lifecycle hooks), and runs its step type in a definition', async () => {
    const external = await load(join(FIXTURES, 'greeting.mjs'));
    expect(external.map(({ step, origin }) => [step.type, origin])).toEqual([['fixture-greeting', join(FIXTURES, 'greeting.mjs')]]);
    const compiler = new DefinitionCompiler(new StepRegistry(stepTypesForCompiling(), external));
    const compiled = compiler.compile({
      id: 'greet',
      name: 'Greet',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook' },
      steps: [{ id: 'hello', type: 'fixture-greeting', input: { name: 'first' } }],
    });
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
    const run = (payload: Record<string, unknown>) =>
      new ProcessRunner().run(compiled.process, {
        tenantId: 't',
        webhookId: 'w',
        payload,
        webhook: { id: 'w', apiKeyId: 'k', apiKeyName: 'Form', receivedAt: '' },
      });
    expect((await run({ first: 'Ada' })).trace).toEqual([expect.objectContaining({ step: 'hello', status: 'ok', output: 'Hello, Ada!' })]);
    expect(await run({})).toMatchObject({ status: 'failed', error: { code: 'UNMAPPABLE', message: 'name: a text is needed to greet' } });
  });

  it('checks the input of its step type as it does a built-in one, problems with their paths', async () => {
    const compiler = new DefinitionCompiler(new StepRegistry(stepTypesForCompiling(), await load(join(FIXTURES, 'greeting.mjs'))));
    const steps = [{ id: 'hello', type: 'fixture-greeting', input: { name: '(' } }];
    const compiled = compiler.compile({ id: 'greet', name: 'Greet', version: 1, activeByDefault: false, trigger: { type: 'webhook' }, steps });
    expect(compiled.ok ? [] : compiled.problems).toEqual([{ path: '/steps/0/input/name', message: expect.stringMatching(/^expression does not parse/) }]);
  });

  it('refuses a file that does not exist', async () => {
    const entry = './test/fixtures/step-types/no-such-module.mjs';
    expect(await refusal(entry)).toBe(`STEP_TYPE_MODULES: "${entry}" cannot be loaded: there is no file ${join(FIXTURES, 'no-such-module.mjs')}`);
  });

  it('refuses a package that is not installed', async () => {
    expect(await refusal('@hookflow-test/no-such-package')).toBe(
      'STEP_TYPE_MODULES: "@hookflow-test/no-such-package" cannot be loaded: no package of that name is installed beside Hookflow (a file is written ./… or /…)',
    );
  });

  it('refuses a module that does not load, with its error on one line', async () => {
    const entry = moduleFile('throws.mjs', "throw new Error('no licence key\\nset HOOKFLOW_STEPS_KEY');");
    expect(await refusal(entry)).toBe(`STEP_TYPE_MODULES: "${entry}" cannot be loaded: no licence key set HOOKFLOW_STEPS_KEY`);
  });

  it.each([
    ['no default export', 'export const x = 1;', 'it has no default export'],
    ['a default export that is no class', 'export default { stepTypes: [] };', 'its default export is not a class'],
    ['no stepTypes', withStep(GOOD, '[Step]', 'undefined'), 'Steps.stepTypes lists none'],
    ['an empty stepTypes', withStep(GOOD, '[Step]', '[]'), 'Steps.stepTypes lists none'],
  ])('refuses a module with %s: it exports no step type', async (label, source, why) => {
    const entry = moduleFile(`${label.replace(/\W+/g, '-')}.mjs`, source);
    expect(await refusal(entry)).toBe(
      `STEP_TYPE_MODULES: "${entry}" exports no step type: ${why} (export default a NestJS module class whose static stepTypes lists its step type providers)`,
    );
  });

  it.each([
    ['a class that is not its provider', withStep(GOOD, '[]'), 'lists Step in Steps.stepTypes, but it is not a provider of Steps'],
    ['a provider that is no step type', withStep("type = 'x';"), 'registers Step, which is not a step type: it has no description, inputSchema, execute'],
    [
      'a step type of an odd name',
      withStep(GOOD.replace("'scratch-step'", "'Scratch Step'")),
      'registers the step type "Scratch Step", whose name is not 1-64 lower-case letters, digits and "-", starting with a letter',
    ],
    [
      'an input schema that is no JSON Schema',
      withStep(GOOD.replace("{ type: 'object' }", "{ type: 'thing' }")),
      'registers the step type "scratch-step", whose inputSchema is no JSON Schema: schema is invalid: data/type must be equal to one of the allowed values, data/type must be array, data/type must match a schema in anyOf',
    ],
  ])('refuses %s', async (label, source, message) => {
    const entry = moduleFile(`${label.replace(/\W+/g, '-')}.mjs`, source);
    expect(await refusal(entry)).toBe(`STEP_TYPE_MODULES: "${entry}" ${message}`);
  });

  it('refuses a step type whose name another module or a built-in step type has', async () => {
    const greeting = join(FIXTURES, 'greeting.mjs');
    const duplicate = join(FIXTURES, 'duplicate.mjs');
    const external = await load(`${greeting},${duplicate}`);
    expect(() => new StepRegistry(stepTypesForCompiling(), external)).toThrow(
      new ConfigError(`STEP_TYPE_MODULES: "${duplicate}" registers the step type "fixture-greeting", which is registered by "${greeting}" already`),
    );
    const builtIn = moduleFile('map.mjs', withStep(GOOD.replace("'scratch-step'", "'map'")));
    const mapAgain = await load(builtIn);
    expect(() => new StepRegistry(stepTypesForCompiling(), mapAgain)).toThrow(
      new ConfigError(`STEP_TYPE_MODULES: "${builtIn}" registers the step type "map", which is a built-in step type`),
    );
  });
});
