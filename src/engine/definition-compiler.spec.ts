import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Compilation, DefinitionCompiler, formatProblem, invalidDefinition } from './definition-compiler.js';
import { Expression } from './expression.js';
import { compileFile, DefinitionFileError, BaseDefinitions } from './base-definitions.js';
import { buildProcessSchema } from './process-schema.js';
import { StepRegistry } from './step-registry.js';
import type { StepType } from './step-type.js';
import { STEP_TYPES } from './steps/index.js';
import { MapStep } from './steps/map.step.js';
import { StopStep } from './steps/stop.step.js';
import { stepTypesForCompiling } from '../../test/support/step-types.js';

const PROCESSES_DIR = fileURLToPath(new URL('../../processes', import.meta.url));
const DEFAULT_ID = 'create-object-records-from-webhook';
/** The step types every deployment has; others may be registered beside them. */
const CORE_STEP_TYPES = [
  'resolve-object',
  'map-parameters',
  'map',
  'set-variable',
  'condition',
  'find-record',
  'create-record',
  'upsert-record',
  'fail',
  'stop',
];

/**
 * Every registered step type. Compiling never runs a step, so the services the step classes
 * are built with (catalogue, records, HTTP) are never called and left out.
 */
function allStepTypes(): StepType<never, unknown>[] {
  return stepTypesForCompiling();
}

const registry = new StepRegistry(allStepTypes());
const compiler = new DefinitionCompiler(registry);
const STEP_TYPE_NAMES = registry.all().map((step) => step.type);

// Definitions as loose JSON, to break in every way a test needs.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** A fresh copy of a shipped definition, safe to change. */
function shipped(id = DEFAULT_ID): Record<string, any> {
  return JSON.parse(readFileSync(join(PROCESSES_DIR, `${id}.json`), 'utf8'));
}

/** A minimal valid definition around the given steps. */
function definition(steps: unknown[], trigger: Record<string, unknown> = { type: 'webhook' }): Record<string, any> {
  return { id: 'test-process', name: 'Test process', version: 1, activeByDefault: false, trigger, steps };
}

function problemsOf(result: Compilation): string[] {
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.problems.map(formatProblem);
}

function shippedFiles(): string[] {
  return readdirSync(PROCESSES_DIR)
    .filter((file) => file.endsWith('.json') && file !== 'process.schema.json')
    .sort();
}

describe('StepRegistry', () => {
  it('knows every step type of the engine, in registration order', () => {
    expect(registry.all().map((step) => step.constructor)).toEqual(STEP_TYPES);
    expect(STEP_TYPE_NAMES).toEqual(expect.arrayContaining(CORE_STEP_TYPES));
    expect(new Set(STEP_TYPE_NAMES).size).toBe(STEP_TYPES.length);
    expect(STEP_TYPE_NAMES.slice(0, 2)).toEqual(['resolve-object', 'map-parameters']);
  });

  it('finds a step type by name and answers undefined for an unknown one', () => {
    expect(registry.get('map')).toBeInstanceOf(MapStep);
    expect(registry.get('stop')).toBeInstanceOf(StopStep);
    expect(registry.get('send-fax')).toBeUndefined();
  });

  it('refuses a step type registered twice', () => {
    expect(() => new StepRegistry([new MapStep(), new StopStep(), new MapStep()] as StepType<never, unknown>[])).toThrow('Step type "map" is registered twice');
  });
});

describe('the published JSON Schema', () => {
  it('equals the schema built from the registered step types', () => {
    const committed = JSON.parse(readFileSync(join(PROCESSES_DIR, 'process.schema.json'), 'utf8'));
    const built = JSON.parse(JSON.stringify(buildProcessSchema(registry.all())));
    try {
      expect(committed).toEqual(built);
    } catch (error) {
      throw new Error(
        'processes/process.schema.json differs from the schema of the registered step types; regenerate it with ' +
          `"node bin/hookflow.js process schema > processes/process.schema.json".\n\n${(error as Error).message}`,
        { cause: error },
      );
    }
  });

  it('lists every registered step type in the step "type" enum', () => {
    const schema = buildProcessSchema(registry.all()) as { definitions: { step: { properties: { type: { enum: string[] } } } } };
    expect(schema.definitions.step.properties.type.enum).toEqual(STEP_TYPE_NAMES);
  });
});

describe('DefinitionCompiler: shipped definitions', () => {
  it('finds at least the default definition in processes/', () => {
    expect(shippedFiles()).toContain(`${DEFAULT_ID}.json`);
  });

  it.each(shippedFiles())('compiles %s', (file) => {
    const result = compileFile(join(PROCESSES_DIR, file), compiler);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('compiles the default definition into its three steps, with no trigger condition', () => {
    const result = compiler.compile(shipped(), DEFAULT_ID);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.process.definition).toEqual(shipped());
    expect(result.process.condition).toBeNull();
    expect(result.process.steps.map((step) => [step.definition.id, step.type.type])).toEqual([
      ['object', 'resolve-object'],
      ['fields', 'map-parameters'],
      ['record', 'create-record'],
    ]);
    expect(result.process.steps.map((step) => step.branches)).toEqual(result.process.steps.map(() => ({})));
  });

  it('compiles expressions once: create-record of the default process holds parsed expressions', () => {
    const result = compiler.compile(shipped(), DEFAULT_ID);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const input = result.process.steps[2].input as { object: unknown; values: unknown };
    expect(input.object).toBeInstanceOf(Expression);
    expect((input.object as Expression).source).toBe('$steps.object.name');
    expect((input.values as Expression).source).toBe('$steps.fields');
  });

  it('compiles a definition without an expected id', () => {
    expect(compiler.compile(shipped()).ok).toBe(true);
  });

  it('compiles a trigger condition and nested then/else steps', () => {
    const result = compiler.compile(
      definition(
        [
          {
            id: 'check',
            type: 'condition',
            input: { if: 'amount > 100' },
            then: [{ id: 'big', type: 'set-variable', input: { name: 'size', value: 'big' } }],
            else: [{ id: 'small', type: 'stop', input: { reason: 'small order' } }],
          },
        ],
        { type: 'webhook', condition: 'EntityName = "Order"' },
      ),
    );
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.process.condition?.source).toBe('EntityName = "Order"');
    expect(result.process.steps[0].branches.then.map((step) => step.definition.id)).toEqual(['big']);
    expect(result.process.steps[0].branches.else.map((step) => step.definition.id)).toEqual(['small']);
  });
});

describe('DefinitionCompiler: schema problems', () => {
  it('names an unknown step type with its path and the known types', () => {
    const raw = definition([{ id: 'fax', type: 'send-fax' }]);
    const problems = problemsOf(compiler.compile(raw));
    expect(problems).toEqual([`/steps/0/type: unknown step type "send-fax" (known: ${STEP_TYPE_NAMES.join(', ')})`]);
    expect(problems[0]).toContain('/steps/0/type: unknown step type "send-fax"');
  });

  it('names an unknown step type inside a branch with its nested path', () => {
    const raw = definition([{ id: 'check', type: 'condition', input: { if: 'true' }, else: [{ id: 'fax', type: 'send-fax' }] }]);
    expect(problemsOf(compiler.compile(raw))).toEqual([`/steps/0/else/0/type: unknown step type "send-fax" (known: ${STEP_TYPE_NAMES.join(', ')})`]);
  });

  it.each(['id', 'name', 'version', 'activeByDefault', 'trigger', 'steps'])('reports the missing required property %s', (property) => {
    const raw = shipped();
    delete raw[property];
    expect(problemsOf(compiler.compile(raw))).toEqual([`/: must have required property '${property}'`]);
  });

  it('reports an unknown top-level property by name', () => {
    expect(problemsOf(compiler.compile({ ...shipped(), foo: 1 }))).toEqual(['/: unknown property "foo"']);
  });

  it('reports an unknown property of a step with the step path', () => {
    const raw = shipped();
    raw.steps[1].foo = 'bar';
    expect(problemsOf(compiler.compile(raw))).toEqual(['/steps/1: unknown property "foo"']);
  });

  it.each<[string, (raw: Record<string, any>) => void, string[]]>([
    ['a trigger of no known type', (raw) => (raw.trigger.type = 'cron'), ['/trigger/type: unknown trigger type "cron" (known: webhook, schedule, record)']],
    ['an unknown trigger property', (raw) => (raw.trigger.schedule = '* * * * *'), ['/trigger: unknown property "schedule"']],
    ['an empty trigger condition', (raw) => (raw.trigger.condition = ''), ['/trigger/condition: must NOT have fewer than 1 characters']],
    ['a version of 0', (raw) => (raw.version = 0), ['/version: must be >= 1']],
    ['a string version', (raw) => (raw.version = '1'), ['/version: must be integer']],
    ['no steps at all', (raw) => (raw.steps = []), ['/steps: must NOT have fewer than 1 items']],
    ['an id with capitals', (raw) => (raw.id = 'Create'), ['/id: must match pattern "^[a-z0-9][a-z0-9-]{0,99}$"']],
    ['a step id with a dash', (raw) => (raw.steps[0].id = 'the-object'), ['/steps/0/id: must match pattern "^[A-Za-z][A-Za-z0-9_]{0,63}$"']],
    ['an input that is a list', (raw) => (raw.steps[0].input = ['EntityName']), ['/steps/0/input: must be object']],
  ])('reports %s', (_label, change, problems) => {
    const raw = shipped();
    change(raw);
    expect(problemsOf(compiler.compile(raw))).toEqual(problems);
  });

  // Only the missing type is a problem: the input of a step without a type cannot be checked
  // against the schema of every step type at once.
  it('reports a step without a type as that one problem', () => {
    const raw = shipped();
    delete raw.steps[2].type;
    expect(problemsOf(compiler.compile(raw))).toEqual(["/steps/2: must have required property 'type'"]);
  });

  it.each<[string, unknown]>([
    ['a list', [{}]],
    ['a string', DEFAULT_ID],
    ['null', null],
  ])('refuses a definition that is %s', (_label, raw) => {
    expect(problemsOf(compiler.compile(raw))).toEqual(['/: must be object']);
  });

  it('reports every schema problem at once', () => {
    const raw: Record<string, unknown> = { ...shipped(), foo: 1, version: 'one' };
    delete raw.name;
    expect(problemsOf(compiler.compile(raw)).sort()).toEqual(
      ["/: must have required property 'name'", '/: unknown property "foo"', '/version: must be integer'].sort(),
    );
  });
});

describe('DefinitionCompiler: step inputs', () => {
  it('refuses create-record with neither object nor objectFrom, under /steps/N/input', () => {
    const raw = definition([
      { id: 'first', type: 'stop' },
      { id: 'record', type: 'create-record', input: { values: { Name: 'name' } } },
    ]);
    expect(problemsOf(compiler.compile(raw))).toEqual([
      "/steps/1/input: must have required property 'object'",
      "/steps/1/input: must have required property 'objectFrom'",
      '/steps/1/input: must match exactly one schema in oneOf',
    ]);
  });

  it('refuses create-record with both object and objectFrom', () => {
    const raw = definition([{ id: 'record', type: 'create-record', input: { object: 'Lead', objectFrom: '"Lead"', values: {} } }]);
    expect(problemsOf(compiler.compile(raw))).toEqual(['/steps/0/input: must match exactly one schema in oneOf']);
  });

  it('refuses map without fields', () => {
    const raw = definition([{ id: 'shape', type: 'map', input: {} }]);
    expect(problemsOf(compiler.compile(raw))).toEqual(["/steps/0/input: must have required property 'fields'"]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['map with empty fields', { id: 's', type: 'map', input: { fields: {} } }, ['/steps/0/input/fields: must NOT have fewer than 1 properties']],
    ['an unknown input property', { id: 's', type: 'stop', input: { reason: 'done', code: 1 } }, ['/steps/0/input: unknown property "code"']],
    ['resolve-object with a number', { id: 's', type: 'resolve-object', input: { parameter: 5 } }, ['/steps/0/input/parameter: must be string']],
    [
      'set-variable with a bad name',
      { id: 's', type: 'set-variable', input: { name: '1st', value: 1 } },
      ['/steps/0/input/name: must match pattern "^[A-Za-z_][A-Za-z0-9_]{0,63}$"'],
    ],
    [
      'find-record without a column',
      { id: 's', type: 'find-record', input: { object: 'Country', value: 'country' } },
      ["/steps/0/input: must have required property 'column'"],
    ],
    [
      'upsert-record without a key',
      { id: 's', type: 'upsert-record', input: { object: 'Contact', values: {} } },
      ["/steps/0/input: must have required property 'key'"],
    ],
    [
      'fail with message and messageFrom',
      { id: 's', type: 'fail', input: { message: 'a', messageFrom: '"b"' } },
      ['/steps/0/input: must match exactly one schema in oneOf'],
    ],
    ['condition with an empty if', { id: 's', type: 'condition', input: { if: '' } }, ['/steps/0/input/if: must NOT have fewer than 1 characters']],
  ])('refuses %s', (_label, step, problems) => {
    expect(problemsOf(compiler.compile(definition([step])))).toEqual(problems);
  });

  // A step whose type needs input but that has none at all must be refused at load time,
  // exactly like a step with an empty input, not crash the compiler or fail every run later.
  it.each<[string, string]>([
    ['map', 'fields'],
    ['condition', 'if'],
    ['create-record', 'object'],
  ])('refuses a %s step without any input (needs "%s")', (type, property) => {
    const raw = definition([{ id: 'step', type }]);
    let result: Compilation | undefined;
    expect(() => (result = compiler.compile(raw))).not.toThrow();
    expect(problemsOf(result!)).toContainEqual(expect.stringMatching(new RegExp(`^/steps/0(/input)?: must have required property '(input|${property})'$`)));
  });

  it('accepts a stop step without input: it needs none', () => {
    expect(compiler.compile(definition([{ id: 'done', type: 'stop' }])).ok).toBe(true);
  });
});

describe('DefinitionCompiler: expressions', () => {
  const MESSAGE = /: expression does not parse: .+ \(at character \d+\)$/;

  it('names the exact path of a map field whose expression does not parse', () => {
    const raw = definition([{ id: 'shape', type: 'map', input: { fields: { Email: 'email', Name: 'first &' } } }]);
    expect(problemsOf(compiler.compile(raw))).toEqual(['/steps/0/input/fields/Name: expression does not parse: Unexpected end of expression (at character 7)']);
  });

  it('names the trigger condition that does not parse', () => {
    const raw = definition([{ id: 'done', type: 'stop' }], { type: 'webhook', condition: '(EntityName = "Lead"' });
    const problems = problemsOf(compiler.compile(raw));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\/trigger\/condition: expression does not parse: /);
    expect(problems[0]).toMatch(MESSAGE);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['condition if', { id: 's', type: 'condition', input: { if: 'amount >' } }, '/steps/0/input/if'],
    ['set-variable value', { id: 's', type: 'set-variable', input: { name: 'v', value: '$f(' } }, '/steps/0/input/value'],
    ['find-record value', { id: 's', type: 'find-record', input: { object: 'Country', column: 'Name', value: '[' } }, '/steps/0/input/value'],
    ['fail messageFrom', { id: 's', type: 'fail', input: { messageFrom: '"a" &' } }, '/steps/0/input/messageFrom'],
    ['create-record objectFrom', { id: 's', type: 'create-record', input: { objectFrom: '$steps.', values: {} } }, '/steps/0/input/objectFrom'],
    ['create-record valuesFrom', { id: 's', type: 'create-record', input: { object: 'Lead', valuesFrom: '{' } }, '/steps/0/input/valuesFrom'],
    [
      'create-record values',
      { id: 's', type: 'create-record', input: { object: 'Lead', values: { Contact: 'name', Email: 'a =' } } },
      '/steps/0/input/values/Email',
    ],
    [
      'upsert-record values',
      { id: 's', type: 'upsert-record', input: { object: 'Contact', key: 'Email', values: { Email: ')' } } },
      '/steps/0/input/values/Email',
    ],
  ])('names the path of a %s that does not parse', (_label, step, path) => {
    const problems = problemsOf(compiler.compile(definition([step])));
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`${path}: expression does not parse: `)).toBe(true);
    expect(problems[0]).toMatch(MESSAGE);
  });

  it('names the nested path of an expression inside a then branch', () => {
    const raw = definition([
      { id: 'first', type: 'stop' },
      {
        id: 'check',
        type: 'condition',
        input: { if: 'true' },
        then: [
          { id: 'ok', type: 'stop' },
          { id: 'shape', type: 'map', input: { fields: { Name: 'first &' } } },
        ],
      },
    ]);
    expect(problemsOf(compiler.compile(raw))).toEqual([
      '/steps/1/then/1/input/fields/Name: expression does not parse: Unexpected end of expression (at character 7)',
    ]);
  });

  // Within one step, compiling stops at the first expression that does not parse (C is not reported).
  it('reports an expression that does not parse per step, with the trigger first', () => {
    const raw = definition(
      [
        { id: 'shape', type: 'map', input: { fields: { A: '(', B: 'ok', C: ']' } } },
        { id: 'check', type: 'condition', input: { if: '=' } },
      ],
      { type: 'webhook', condition: '$' + '(' },
    );
    const problems = problemsOf(compiler.compile(raw));
    expect(problems.map((problem) => problem.split(': ')[0])).toEqual(['/trigger/condition', '/steps/0/input/fields/A', '/steps/1/input/if']);
  });

  it('keeps constants (non-strings) as constants: they are never parsed', () => {
    const raw = definition([{ id: 'shape', type: 'map', input: { fields: { Count: 3, Flag: false, Tags: ['(', ')'] } } }]);
    expect(compiler.compile(raw).ok).toBe(true);
  });
});

describe('DefinitionCompiler: problems as data', () => {
  it('answers each problem as its JSON path and its message, apart, even when the path holds ": "', () => {
    const raw = definition([{ id: 'shape', type: 'map', input: { fields: { 'Note: internal': '(' } } }], { type: 'webhook', colour: 'red' });
    const result = compiler.compile(raw);
    expect(result.ok ? [] : result.problems).toEqual([{ path: '/trigger', message: 'unknown property "colour"' }]);

    const parsed = compiler.compile(definition([{ id: 'shape', type: 'map', input: { fields: { 'Note: internal': '(' } } }]));
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      { path: '/steps/0/input/fields/Note: internal', message: expect.stringMatching(/^expression does not parse: /) },
    ]);
  });

  it('makes one INVALID_DEFINITION error of them: one line each in the message, the list in details.problems', () => {
    const problems = [
      { path: '/steps/0/type', message: 'unknown step type "send-fax"' },
      { path: '/steps/1/id', message: '"a" is the id of another step' },
    ];
    const error = invalidDefinition(problems);
    expect(error).toMatchObject({ code: 'INVALID_DEFINITION', details: { problems } });
    expect(error.message).toBe('Invalid process definition:\n  /steps/0/type: unknown step type "send-fax"\n  /steps/1/id: "a" is the id of another step');
  });
});

describe('DefinitionCompiler: step ids, branches and the file name', () => {
  it('refuses duplicate step ids at the top level', () => {
    const raw = definition([
      { id: 'same', type: 'stop' },
      { id: 'other', type: 'stop' },
      { id: 'same', type: 'stop' },
    ]);
    expect(problemsOf(compiler.compile(raw))).toEqual(['/steps/2/id: "same" is the id of another step']);
  });

  it('refuses duplicate step ids inside then and else, and across levels', () => {
    const raw = definition([
      {
        id: 'check',
        type: 'condition',
        input: { if: 'true' },
        then: [{ id: 'check', type: 'stop' }],
        else: [
          { id: 'twice', type: 'stop' },
          { id: 'twice', type: 'stop' },
        ],
      },
      { id: 'twice', type: 'stop' },
    ]);
    expect(problemsOf(compiler.compile(raw))).toEqual([
      '/steps/0/then/0/id: "check" is the id of another step',
      '/steps/0/else/1/id: "twice" is the id of another step',
      '/steps/1/id: "twice" is the id of another step',
    ]);
  });

  it('refuses the same id in the then and the else branch', () => {
    const raw = definition([{ id: 'check', type: 'condition', input: { if: 'true' }, then: [{ id: 'x', type: 'stop' }], else: [{ id: 'x', type: 'stop' }] }]);
    expect(problemsOf(compiler.compile(raw))).toEqual(['/steps/0/else/0/id: "x" is the id of another step']);
  });

  it.each(['then', 'else'])('refuses "%s" on a step that is not a condition', (branch) => {
    const raw = definition([{ id: 'shape', type: 'map', input: { fields: { A: 'a' } }, [branch]: [{ id: 'done', type: 'stop' }] }]);
    expect(problemsOf(compiler.compile(raw))).toEqual([`/steps/0/${branch}: only condition steps have "${branch}"`]);
  });

  it('refuses an id that differs from the file name', () => {
    expect(problemsOf(compiler.compile(shipped(), 'another-process'))).toEqual([`/id: "${DEFAULT_ID}" must equal the file name "another-process"`]);
  });

  it('reports problems of the id and of several steps together', () => {
    const raw = shipped();
    raw.steps[2].id = 'object';
    raw.steps[1].then = [{ id: 'more', type: 'stop' }];
    expect(problemsOf(compiler.compile(raw, 'other'))).toEqual([
      `/id: "${DEFAULT_ID}" must equal the file name "other"`,
      '/steps/1/then: only condition steps have "then"',
      '/steps/2/id: "object" is the id of another step',
    ]);
  });
});

describe('BaseDefinitions and compileFile', () => {
  const dirs: string[] = [];

  function processesDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-definitions-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  function loadError(dir: string): DefinitionFileError {
    try {
      BaseDefinitions.load(dir, compiler);
    } catch (error) {
      if (error instanceof DefinitionFileError) return error;
      throw error;
    }
    throw new Error(`expected the definitions of ${dir} to be refused`);
  }

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the shipped directory, skipping process.schema.json', () => {
    const definitions = BaseDefinitions.load(PROCESSES_DIR, compiler);
    expect(definitions.all().map((process) => process.definition.id)).toEqual(shippedFiles().map((file) => file.replace(/\.json$/, '')));
    expect(definitions.get(DEFAULT_ID)?.definition).toEqual(shipped());
    expect(definitions.get(DEFAULT_ID)?.steps).toHaveLength(3);
    expect(definitions.get('no-such-process')).toBeUndefined();
  });

  it('names the file of a definition that is not valid JSON', () => {
    const dir = processesDir({ 'broken.json': '{ "id": "broken", ' });
    const error = loadError(dir);
    expect(error).toBeInstanceOf(DefinitionFileError);
    expect(error.message).toMatch(/^Invalid process definition:\n {2}\S*broken\.json: \S/);
  });

  it('names the file and the JSON path of an unknown step type', () => {
    const raw = shipped();
    raw.id = 'bad-step';
    raw.steps[1].type = 'send-fax';
    const dir = processesDir({ 'bad-step.json': JSON.stringify(raw, null, 2) });
    expect(loadError(dir).message).toMatch(/^Invalid process definition:\n {2}\S*bad-step\.json: \/steps\/1\/type: unknown step type "send-fax" \(known: /);
  });

  it('names the file and the JSON path of an expression that does not parse', () => {
    const raw = definition([{ id: 'shape', type: 'map', input: { fields: { Name: 'first &' } } }]);
    raw.id = 'bad-expression';
    const dir = processesDir({ 'bad-expression.json': JSON.stringify(raw) });
    expect(loadError(dir).message).toMatch(
      /\S*bad-expression\.json: \/steps\/0\/input\/fields\/Name: expression does not parse: Unexpected end of expression \(at character 7\)$/,
    );
  });

  it('lists the problems of every broken file, one per line, and loads nothing', () => {
    const dir = processesDir({
      [`${DEFAULT_ID}.json`]: JSON.stringify(shipped()),
      'a-broken.json': 'not json',
      'b-wrong-id.json': JSON.stringify(shipped()),
      'process.schema.json': 'this file is skipped',
      'notes.txt': 'not a definition',
    });
    const lines = loadError(dir).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('Invalid process definition:');
    expect(lines[1]).toMatch(/^ {2}\S*a-broken\.json: \S/);
    expect(lines[2]).toMatch(new RegExp(`^ {2}\\S*b-wrong-id\\.json: /id: "${DEFAULT_ID}" must equal the file name "b-wrong-id"$`));
  });

  it('loads a directory of valid definitions in file-name order', () => {
    const second = definition([{ id: 'done', type: 'stop' }]);
    second.id = 'a-second';
    const dir = processesDir({ [`${DEFAULT_ID}.json`]: JSON.stringify(shipped()), 'a-second.json': JSON.stringify(second) });
    expect(
      BaseDefinitions.load(dir, compiler)
        .all()
        .map((process) => process.definition.id),
    ).toEqual(['a-second', DEFAULT_ID]);
  });

  it('says which directory it cannot read', () => {
    const missing = join(tmpdir(), 'hookflow-no-such-dir-7f3a');
    expect(() => BaseDefinitions.load(missing, compiler)).toThrow(DefinitionFileError);
    expect(() => BaseDefinitions.load(missing, compiler)).toThrow(`Cannot read process definitions from ${missing}: `);
  });

  it('compileFile prefixes every problem with the file and checks the id against the file name', () => {
    const dir = processesDir({ 'renamed.json': JSON.stringify({ ...shipped(), foo: 1 }) });
    const result = compileFile(join(dir, 'renamed.json'), compiler);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/\S*renamed\.json: \/: unknown property "foo"$/);

    writeFileSync(join(dir, 'renamed.json'), JSON.stringify(shipped()));
    const renamed = compileFile(join(dir, 'renamed.json'), compiler);
    expect(renamed.ok ? [] : renamed.problems).toEqual([
      expect.stringMatching(new RegExp(`renamed\\.json: /id: "${DEFAULT_ID}" must equal the file name "renamed"$`)),
    ]);
  });
});

describe('the retry option of a step', () => {
  const send = { id: 'send', type: 'http-request', input: { url: 'https://crm.example.com/hooks' } };

  it('compiles with its durations in milliseconds, the defaults filled in', () => {
    const result = compiler.compile(definition([{ ...send, retry: { attempts: 3 } }]));
    expect(result.ok && result.process.steps[0].retry).toEqual({ attempts: 3, delayMs: 60_000, maxDelayMs: 3_600_000 });
    const timed = compiler.compile(definition([{ ...send, retry: { attempts: 5, delay: 'PT10S', maxDelay: 'PT2M' } }]));
    expect(timed.ok && timed.process.steps[0].retry).toEqual({ attempts: 5, delayMs: 10_000, maxDelayMs: 120_000 });
  });

  it.each([
    [{ attempts: 1 }, '/steps/0/retry/attempts: must be >= 2'],
    [{ delay: 'PT1M' }, "/steps/0/retry: must have required property 'attempts'"],
    [{ attempts: 3, delay: '1 minute' }, '/steps/0/retry/delay: must match pattern'],
    [{ attempts: 3, delay: 'PT1H', maxDelay: 'PT1M' }, '/steps/0/retry/maxDelay: must not be shorter than the delay (PT1H)'],
    [{ attempts: 3, backoff: 'linear' }, '/steps/0/retry: unknown property "backoff"'],
  ])('refuses %j, naming the path', (retry, problem) => {
    expect(problemsOf(compiler.compile(definition([{ ...send, retry }]))).join('\n')).toContain(problem);
  });
});

describe('a schedule trigger', () => {
  const steps = [{ id: 'go', type: 'set-variable', input: { name: 'x', value: 1 } }];

  it('compiles with a cron expression (5 fields, or 6 with seconds) and an IANA time zone', () => {
    expect(compiler.compile(definition(steps, { type: 'schedule', cron: '0 2 * * *' })).ok).toBe(true);
    expect(compiler.compile(definition(steps, { type: 'schedule', cron: '*/30 * * * * *', timezone: 'Europe/Berlin' })).ok).toBe(true);
  });

  it.each([
    [{ type: 'schedule' }, "/trigger: must have required property 'cron'"],
    [{ type: 'schedule', cron: '0 2 * *' }, '/trigger/cron: "0 2 * *" has 4 fields; a cron expression has 5'],
    [{ type: 'schedule', cron: '0 25 * * *' }, '/trigger/cron: "0 25 * * *" is not a cron expression'],
    [{ type: 'schedule', cron: '0 2 * * *', timezone: 'Mars/Olympus' }, '/trigger/timezone: "Mars/Olympus" is not an IANA time zone'],
    [{ type: 'schedule', cron: '0 2 * * *', condition: 'true' }, '/trigger/condition: is not a property of this trigger type'],
    [{ type: 'webhook', cron: '0 2 * * *' }, '/trigger/cron: is not a property of this trigger type'],
    [{ type: 'timer' }, '/trigger/type: unknown trigger type "timer" (known: webhook, schedule, record)'],
  ])('refuses %j, naming the path', (trigger, problem) => {
    expect(problemsOf(compiler.compile(definition(steps, trigger))).join('\n')).toContain(problem);
  });
});
