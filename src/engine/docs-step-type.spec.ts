import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { DefinitionCompiler, formatProblem } from './definition-compiler.js';
import { ProcessRunner } from './process-runner.js';
import { StepRegistry } from './step-registry.js';
import type { StepType } from './step-type.js';
import { loadStepTypeModulesAtStart, stepTypesForCompiling } from '../../test/support/step-types.js';

// The TypeScript step type of docs/processes.md ("Writing a step type") must compile against the
// real interfaces and work when registered.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const docs = readFileSync(join(ROOT, 'docs/processes.md'), 'utf8');
const example = /```ts\n([\s\S]*?)\n```/.exec(docs)?.[1] ?? '';
// Written beside the engine's own steps would need the same relative import; a folder of the
// test's own needs one more "../".
const dir = join(ROOT, 'src/engine/steps', `.docs-example-${process.pid}`);
const file = join(dir, 'uppercase.step.ts');

describe('the step type example of docs/processes.md', () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, example.replace("from '../step-type.js'", "from '../../step-type.js'"));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is there', () => {
    expect(example).toContain('implements StepType<Input, ValueSource>');
  });

  it('type-checks with the compiler options of the project', () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram([file], { ...config.options, noEmit: true, incremental: false });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('runs in a definition once registered', async () => {
    const { UppercaseStep } = (await import(file)) as { UppercaseStep: new () => StepType<never, unknown> };
    const compiler = new DefinitionCompiler(new StepRegistry([new UppercaseStep()]));
    const compiled = compiler.compile({
      id: 'shout',
      name: 'Shout',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook' },
      steps: [{ id: 'loud', type: 'uppercase', input: { value: 'name' } }],
    });
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
    const outcome = await new ProcessRunner().run(compiled.process, {
      tenantId: 't',
      webhookId: 'w',
      payload: { name: 'Ada' },
      webhook: { id: 'w', apiKeyId: 'k', apiKeyName: 'Form', receivedAt: new Date(0).toISOString() },
    });
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.find((entry) => entry.step === 'loud')?.output).toBe('ADA');
  });
});

// The module of step types of docs/processes.md ("As a module of its own") must load as
// STEP_TYPE_MODULES loads it, and its step, as the docs show it, give the output the docs promise.
const moduleExample = /```js\n([\s\S]*?)\n```/.exec(docs)?.[1] ?? '';
const stepExample = /```json external\n([\s\S]*?)\n```/.exec(docs)?.[1] ?? 'null';
const promise = /with a webhook `(\{.*?\})` this step outputs `(".*?")`/.exec(docs);
// Inside the repository, so that its import of @nestjs/common resolves as a package's would.
const moduleDir = join(ROOT, 'test/fixtures/step-types', `.docs-example-${process.pid}`);

describe('the step type module example of docs/processes.md', () => {
  let app: INestApplicationContext | undefined;

  beforeAll(() => {
    mkdirSync(moduleDir, { recursive: true });
    writeFileSync(join(moduleDir, 'slug-steps.mjs'), moduleExample);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(moduleDir, { recursive: true, force: true });
  });

  it('is there, with a step that uses it and what that step outputs', () => {
    expect(moduleExample).toContain('static stepTypes');
    expect(JSON.parse(stepExample)).toMatchObject({ type: 'slug' });
    expect(promise).not.toBeNull();
  });

  it('loads as a module of STEP_TYPE_MODULES and runs in a definition', async () => {
    const loaded = await loadStepTypeModulesAtStart(join(moduleDir, 'slug-steps.mjs'));
    app = loaded.app;
    const compiler = new DefinitionCompiler(new StepRegistry(stepTypesForCompiling(), loaded.external));
    const step = JSON.parse(stepExample) as { id: string };
    const compiled = compiler.compile({ id: 'slugs', name: 'Slugs', version: 1, activeByDefault: false, trigger: { type: 'webhook' }, steps: [step] });
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
    const outcome = await new ProcessRunner().run(compiled.process, {
      tenantId: 't',
      webhookId: 'w',
      payload: JSON.parse(promise![1]) as Record<string, unknown>,
      webhook: { id: 'w', apiKeyId: 'k', apiKeyName: 'Form', receivedAt: new Date(0).toISOString() },
    });
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.find((entry) => entry.step === step.id)?.output).toBe(JSON.parse(promise![2]));
  });
});
