import { describe, expect, it } from '@jest/globals';
import { BpmnModdle } from 'bpmn-moddle';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stepTypesForCompiling } from '../../../test/support/step-types.js';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { DefinitionCompiler, formatProblem, type Compilation } from '../definition-compiler.js';
import type { ProcessDefinition, StepDefinition } from '../definition-types.js';
import { StepRegistry } from '../step-registry.js';
import type { BpmnProblem } from './bpmn-graph.js';
import { fromBpmn } from './bpmn-to-definition.js';
import { toBpmn } from './definition-to-bpmn.js';
import { elementIdOfPath, processElementId } from './element-ids.js';
import { createModdle, visibleText, type BpmnElement } from './hookflow-moddle.js';

const PROCESSES_DIR = fileURLToPath(new URL('../../../processes', import.meta.url));
const compiler = new DefinitionCompiler(new StepRegistry(stepTypesForCompiling()));
// A fixed seed: a failure names its counterexample and reproduces on every run.
const SEED = 20240517;

function shippedFiles(): string[] {
  return readdirSync(PROCESSES_DIR)
    .filter((file) => file.endsWith('.json') && file !== 'process.schema.json')
    .sort();
}

function shipped(file: string): ProcessDefinition {
  return JSON.parse(readFileSync(join(PROCESSES_DIR, file), 'utf8'));
}

function problemsOf(result: Compilation): string[] {
  return result.ok ? [] : result.problems.map(formatProblem);
}

/** The elements of a BPMN document by id, as a standard moddle (without the Hookflow extension) reads it. */
async function elementsOf(xml: string): Promise<{ warnings: unknown[]; byId: Record<string, BpmnElement> }> {
  const parsed = (await new BpmnModdle().fromXML(xml)) as unknown as { warnings: unknown[]; elementsById: Record<string, BpmnElement> };
  return { warnings: parsed.warnings, byId: parsed.elementsById };
}

async function refusal(xml: string): Promise<BpmnProblem[]> {
  const error = await fromBpmn(xml).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(ErrorCode.InvalidDefinition);
  const problems = (error as AppError).details!.problems as BpmnProblem[];
  expect(problems.length).toBeGreaterThan(0);
  return problems;
}

// ---- Hand-written BPMN, the way bpmn-js writes it ----

const NAMESPACES =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" ' +
  'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:hookflow="https://hookflow.dev/schema/bpmn/1"';

function document(process: string, diagram = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NAMESPACES} id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)" exporterVersion="17.11.1">
  <bpmn:process id="Process_1a2b3c4" isExecutable="true">
${process}
  </bpmn:process>${diagram}
</bpmn:definitions>`;
}

function task(id: string, name: string, type = 'set-variable', input = '{"name":"note","value":"\'ok\'"}'): string {
  return `<bpmn:serviceTask id="${id}" name="${name}"><bpmn:extensionElements><hookflow:step type="${type}"><hookflow:input>${input}</hookflow:input></hookflow:step></bpmn:extensionElements></bpmn:serviceTask>`;
}

function flow(id: string, source: string, target: string, extra = ''): string {
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"${extra} />`;
}

const START = '<bpmn:startEvent id="StartEvent_1" name="Form sent" />';
const END = '<bpmn:endEvent id="Event_0end" name="Done" />';

function shape(id: string, x: number, y: number, width: number, height: number, extra = ''): string {
  return `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"${extra}><dc:Bounds x="${x}" y="${y}" width="${width}" height="${height}" /></bpmndi:BPMNShape>`;
}

function edge(id: string, ...points: Array<[number, number]>): string {
  return `<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}">${points.map(([x, y]) => `<di:waypoint x="${x}" y="${y}" />`).join('')}</bpmndi:BPMNEdge>`;
}

/** A lead intake drawn in bpmn-js: a condition, a user task, a call activity with an error boundary event. */
const DRAWN = document(
  `<bpmn:startEvent id="StartEvent_1" name="Form sent"><bpmn:outgoing>Flow_0s1t2a3</bpmn:outgoing><bpmn:messageEventDefinition id="MessageEventDefinition_0m1n2o3" /></bpmn:startEvent>
    ${task('Activity_0x1y2z3', 'Normalise the form', 'map', '{"fields":{"email":"$lowercase($trim(email))","score":"$number(score)"}}')}
    <bpmn:exclusiveGateway id="Gateway_1h0t2l3" name="Hot lead?" default="Flow_0c0l0d1" />
    ${task('Activity_1c2r3m4', 'Create the lead', 'create-record', '{"object":"Lead","values":{"Email":"$steps.Activity_0x1y2z3.email"}}')}
    <bpmn:userTask id="Activity_0r1v2w3" name="Review the lead" />
    <bpmn:exclusiveGateway id="Gateway_0j1o2i3" />
    <bpmn:callActivity id="Activity_1e2n3r4" name="Enrich" calledElement="enrich-lead"><bpmn:extensionElements><hookflow:step type="call-process"><hookflow:input>{"process":"enrich-lead","wait":true}</hookflow:input></hookflow:step></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:boundaryEvent id="Event_0e1r2r3" attachedToRef="Activity_1e2n3r4"><bpmn:errorEventDefinition id="ErrorEventDefinition_0a1b2c3" /></bpmn:boundaryEvent>
    ${task('Activity_0n1o2t3', 'Note the failure', 'set-variable', '{"name":"enrichment","value":"$error.message"}')}
    <bpmn:exclusiveGateway id="Gateway_0m1r2g3" />
    <bpmn:endEvent id="Event_1d2o3n4" name="Done" />
    ${flow('Flow_0s1t2a3', 'StartEvent_1', 'Activity_0x1y2z3')}
    ${flow('Flow_1b2c3d4', 'Activity_0x1y2z3', 'Gateway_1h0t2l3')}
    <bpmn:sequenceFlow id="Flow_1h1o2t3" name="yes" sourceRef="Gateway_1h0t2l3" targetRef="Activity_1c2r3m4"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">$steps.Activity_0x1y2z3.score &gt; 50</bpmn:conditionExpression></bpmn:sequenceFlow>
    ${flow('Flow_0c0l0d1', 'Gateway_1h0t2l3', 'Activity_0r1v2w3', ' name="no"')}
    ${flow('Flow_0a1b2c3', 'Activity_1c2r3m4', 'Gateway_0j1o2i3')}
    ${flow('Flow_1r2v3w4', 'Activity_0r1v2w3', 'Gateway_0j1o2i3')}
    ${flow('Flow_1e2n3d4', 'Gateway_0j1o2i3', 'Activity_1e2n3r4')}
    ${flow('Flow_0e1n2d3', 'Activity_1e2n3r4', 'Gateway_0m1r2g3')}
    ${flow('Flow_0f1a2i3', 'Event_0e1r2r3', 'Activity_0n1o2t3')}
    ${flow('Flow_0m1e2r3', 'Activity_0n1o2t3', 'Gateway_0m1r2g3')}
    ${flow('Flow_1f1i2n3', 'Gateway_0m1r2g3', 'Event_1d2o3n4')}`,
  `
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_1a2b3c4">
      ${shape('StartEvent_1', 152, 102, 36, 36)}
      ${shape('Activity_0x1y2z3', 240, 80, 100, 80)}
      <bpmndi:BPMNShape id="Gateway_1h0t2l3_di" bpmnElement="Gateway_1h0t2l3" isMarkerVisible="true"><dc:Bounds x="395" y="95" width="50" height="50" /><bpmndi:BPMNLabel><dc:Bounds x="396" y="65" width="48" height="14" /></bpmndi:BPMNLabel></bpmndi:BPMNShape>
      ${shape('Activity_1c2r3m4', 500, 80, 100, 80)}
      ${shape('Activity_0r1v2w3', 500, 190, 100, 80)}
      ${shape('Gateway_0j1o2i3', 655, 95, 50, 50, ' isMarkerVisible="true"')}
      ${shape('Activity_1e2n3r4', 760, 80, 100, 80)}
      ${shape('Event_0e1r2r3', 792, 142, 36, 36)}
      ${shape('Activity_0n1o2t3', 860, 200, 100, 80)}
      ${shape('Gateway_0m1r2g3', 1015, 95, 50, 50, ' isMarkerVisible="true"')}
      ${shape('Event_1d2o3n4', 1122, 102, 36, 36)}
      ${edge('Flow_0s1t2a3', [188, 120], [240, 120])}
      ${edge('Flow_1b2c3d4', [340, 120], [395, 120])}
      ${edge('Flow_1h1o2t3', [445, 120], [500, 120])}
      ${edge('Flow_0c0l0d1', [420, 145], [420, 230], [500, 230])}
      ${edge('Flow_0a1b2c3', [600, 120], [655, 120])}
      ${edge('Flow_1r2v3w4', [600, 230], [680, 230], [680, 145])}
      ${edge('Flow_1e2n3d4', [705, 120], [760, 120])}
      ${edge('Flow_0e1n2d3', [860, 120], [1015, 120])}
      ${edge('Flow_0f1a2i3', [810, 178], [810, 240], [860, 240])}
      ${edge('Flow_0m1e2r3', [960, 240], [1040, 240], [1040, 145])}
      ${edge('Flow_1f1i2n3', [1065, 120], [1122, 120])}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>`,
);

// ---- Generated definitions ----

/** Characters that XML escapes, drops or refuses, and unicode, besides ordinary ones. */
const CHARACTER = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', ' ', '\n', '\r', '\r\n', '\t', '😀', 'é', '\u00a0') },
  // Control characters, lone surrogates, U+FFFE: no XML document can hold them.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const text = (constraints: { minLength?: number; maxLength: number }) => fc.string({ unit: CHARACTER, ...constraints });
const EXPRESSIONS = [
  'Email',
  '$lowercase($trim(email))',
  "$steps.lead.recordId & ' <&> '",
  'amount > 1000 and status != "paid"',
  "'Grüße 😀 ' & name",
  '$exists(x) ? x : "<none>"',
  'a = 1\r\n  and b = 2',
  '  $trim(name)  ',
];
// A JSON string literal is a JSONata text constant: any text can be in an expression so.
const expression = fc.oneof(
  fc.constantFrom(...EXPRESSIONS),
  text({ maxLength: 8 }).map((value) => JSON.stringify(value)),
);
const constant = fc.jsonValue({ maxDepth: 2, stringUnit: CHARACTER }).filter((value) => typeof value !== 'string');
const value = fc.oneof(expression, constant);
const identifier = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,8}$/);
const fields = fc.dictionary(identifier, value, { minKeys: 1, maxKeys: 3 });
const processId = fc.oneof(fc.constantFrom('lead', 'a', '0-day', '9', 'lead-join', 'a-scope-start', 'lead-di'), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/));
const stepIdCandidate = fc.oneof(
  fc.constantFrom('Start', 'End', 'Flow', 'Process', 'Message', 'constructor', 'toString', 'lead', 'a', 'x_join'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,12}$/).filter((id) => !/^step_[0-9]+$/.test(id)),
);
const optional = <T>(arbitrary: fc.Arbitrary<T>, weight = 1) =>
  fc.oneof({ weight: 4 - weight, arbitrary: fc.constant(undefined) }, { weight, arbitrary: arbitrary as fc.Arbitrary<T | undefined> });

/** A valid input for each step type without nested steps. */
const LEAF_INPUTS: Record<string, fc.Arbitrary<Record<string, unknown> | undefined>> = {
  'resolve-object': fc.record({ parameter: fc.constantFrom('EntityName', 'type') }),
  'map-parameters': fc.record({ object: fc.constant('object'), ignore: fc.array(text({ maxLength: 5 }), { maxLength: 2 }) }, { requiredKeys: ['object'] }),
  map: fc.record({ fields }),
  'set-variable': fc.record({ name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), value }),
  'find-record': fc.record({ object: identifier, column: identifier, value, required: fc.boolean() }, { requiredKeys: ['object', 'column', 'value'] }),
  'create-record': fc.record({ object: identifier, values: fields }),
  'upsert-record': fc.record(
    { object: identifier, key: fc.constant('Email'), values: fields, onCreate: fields },
    { requiredKeys: ['object', 'key', 'values'] },
  ),
  'update-record': fc.record({ object: identifier, id: expression, values: fields }),
  'http-request': fc.record(
    {
      method: fc.constantFrom('GET', 'POST'),
      url: fc.constant('https://crm.example.com/api?a=1&b=<2>'),
      body: fields,
      timeoutMs: fc.integer({ min: 100, max: 30_000 }),
    },
    { requiredKeys: ['url'] },
  ),
  wait: fc.oneof(fc.record({ duration: fc.constantFrom('PT10M', 'P2D', 'P1W') }), fc.record({ until: expression })),
  'wait-for-webhook': fc.record(
    {
      key: expression,
      webhookKey: expression,
      condition: expression,
      timeout: fc.constantFrom('P2D', 'PT1H'),
      apiKeys: fc.array(text({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['key', 'webhookKey'] },
  ),
  'wait-for-approval': fc.record(
    { title: text({ minLength: 1, maxLength: 10 }), details: expression, timeout: fc.constant('P3D') },
    { requiredKeys: ['title'] },
  ),
  'call-process': fc.record({ process: processId, payload: expression, wait: fc.boolean() }, { requiredKeys: ['process'] }),
  fail: fc.oneof(fc.record({ message: text({ minLength: 1, maxLength: 10 }) }), fc.record({ messageFrom: expression })),
  stop: optional(fc.record({ reason: text({ maxLength: 10 }) }, { requiredKeys: [] }), 2),
};

/** A step before withIds gives it its id. */
type Draft = { type: string } & Record<string, unknown>;

const leaf: fc.Arbitrary<Draft> = fc
  .constantFrom(...Object.keys(LEAF_INPUTS))
  .chain((type) => LEAF_INPUTS[type].map((input): Draft => (input === undefined ? { type } : { type, input })));

/** Steps with nested steps down to `depth` levels; ids are given afterwards (withIds), unique across the definition. */
const step: (depth: number) => fc.Arbitrary<Draft> = fc.memo((depth: number): fc.Arbitrary<Draft> => {
  // memo builds each depth once, eagerly: only ask for nested steps where there may be some.
  const list = (minLength: number) => fc.array(step(depth - 1), { minLength, maxLength: 2 });
  const retry = fc.record(
    { attempts: fc.integer({ min: 2, max: 10 }), delay: fc.constantFrom('PT1M', 'PT5M'), maxDelay: fc.constantFrom('PT1H', 'PT4H') },
    { requiredKeys: ['attempts'] },
  );
  return fc
    .record({
      kind: depth > 1 ? fc.oneof({ weight: 5, arbitrary: leaf }, ...blocks(list)) : leaf,
      description: optional(text({ maxLength: 12 }), 2),
      retry: optional(retry),
      onError: depth > 0 ? optional(list(1)) : fc.constant(undefined),
    })
    .map(({ kind, ...extras }) => ({ ...kind, ...Object.fromEntries(Object.entries(extras).filter(([, extra]) => extra !== undefined)) }));
});

/** condition, switch, parallel and for-each, with their nested steps from `list`. */
function blocks(list: (minLength: number) => fc.Arbitrary<Draft[]>): fc.Arbitrary<Draft>[] {
  const caseValue = fc.oneof(text({ maxLength: 6 }), fc.constantFrom('', '__proto__', 'constructor', 'a/b~c', ' paid ', '12'));
  return [
    fc.record({ type: fc.constant('condition'), input: fc.record({ if: expression }), then: list(0), else: list(0) }, { requiredKeys: ['type', 'input'] }),
    fc.record(
      {
        type: fc.constant('switch'),
        input: fc.record({ value: expression }),
        cases: fc
          .uniqueArray(fc.tuple(caseValue, list(0)), { minLength: 1, maxLength: 3, selector: ([key]) => key })
          .map((entries) => Object.fromEntries(entries)),
        default: list(0),
      },
      { requiredKeys: ['type', 'input', 'cases'] },
    ),
    fc.record(
      { type: fc.constant('parallel'), input: fc.constant({}), branches: fc.array(list(1), { minLength: 2, maxLength: 3 }) },
      { requiredKeys: ['type', 'branches'] },
    ),
    fc.record({ type: fc.constant('for-each'), input: fc.record({ items: expression }), steps: list(1) }),
  ];
}

/** Copies of the steps with ids from `ids`, in order. */
function withIds(steps: Draft[], ids: string[]): StepDefinition[] {
  let next = 0;
  const name = (list: Draft[]): StepDefinition[] =>
    list.map((draft) => {
      const named: Record<string, unknown> = { id: ids[next] ?? `step_${next}` };
      next++;
      for (const [key, nested] of Object.entries(draft)) {
        if (key === 'cases') named.cases = Object.fromEntries(Object.entries(nested as Record<string, Draft[]>).map(([value, list]) => [value, name(list)]));
        else if (key === 'branches') named.branches = (nested as Draft[][]).map(name);
        else if (['then', 'else', 'steps', 'default', 'onError'].includes(key)) named[key] = name(nested as Draft[]);
        else named[key] = nested;
      }
      return named as unknown as StepDefinition;
    });
  return name(steps);
}

const trigger = fc.oneof(
  fc.record(
    { type: fc.constant('webhook'), condition: expression, apiKeys: fc.array(text({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 2 }) },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    { type: fc.constant('schedule'), cron: fc.constantFrom('0 2 * * *', '*/5 * * * *', '30 8 * * 1-5'), timezone: fc.constantFrom('Europe/Berlin', 'UTC') },
    { requiredKeys: ['type', 'cron'] },
  ),
  fc.record(
    { type: fc.constant('record'), object: identifier, on: fc.subarray(['created', 'updated'], { minLength: 1 }), condition: expression },
    { requiredKeys: ['type', 'object', 'on'] },
  ),
);

const definitions: fc.Arbitrary<ProcessDefinition> = fc
  .record({
    schema: fc.boolean(),
    id: processId,
    name: text({ minLength: 1, maxLength: 12 }),
    description: optional(text({ maxLength: 20 }), 2),
    version: fc.integer({ min: 1, max: 1000 }),
    activeByDefault: fc.boolean(),
    trigger,
    steps: fc.array(step(3), { minLength: 1, maxLength: 3 }),
    ids: fc.uniqueArray(stepIdCandidate, { minLength: 80, maxLength: 80 }),
  })
  .map(({ schema, description, steps, ids, ...rest }) => ({
    ...(schema ? { $schema: './process.schema.json' } : {}),
    ...rest,
    ...(description === undefined ? {} : { description }),
    steps: withIds(steps, ids),
  })) as fc.Arbitrary<ProcessDefinition>;

describe('BPMN round trip', () => {
  it.each(shippedFiles())('%s: gives back the definition with its diagram, then exactly that, in BPMN any moddle reads without warnings', async (file) => {
    const definition = shipped(file);
    const xml = await toBpmn(definition);
    expect((await new BpmnModdle().fromXML(xml)).warnings).toEqual([]);
    expect((await createModdle().fromXML(xml)).warnings).toEqual([]);

    const { definition: imported } = await fromBpmn(xml);
    expect(imported).toEqual({ ...definition, diagram: { shapes: expect.any(Object), edges: expect.any(Object) } });
    const again = await toBpmn(imported);
    expect(again).toBe(xml);
    expect((await fromBpmn(again)).definition).toEqual(imported);
  });

  it('gives back generated definitions: any nesting, step type, text and input', async () => {
    await fc.assert(
      fc.asyncProperty(definitions, async (definition) => {
        // The generator makes definitions the engine takes, or the property would prove little.
        expect(problemsOf(compiler.compile(definition))).toEqual([]);
        const xml = await toBpmn(definition);
        expect((await new BpmnModdle().fromXML(xml)).warnings).toEqual([]);
        // Nothing a conforming XML parser would refuse or change (moddle itself would read it back).
        expect(visibleText(xml, 'body')).toBe(xml);

        const { definition: imported } = await fromBpmn(xml);
        expect(imported).toEqual({ ...definition, diagram: { shapes: expect.any(Object), edges: expect.any(Object) } });
        expect(problemsOf(compiler.compile(imported))).toEqual([]);
        expect((await fromBpmn(await toBpmn(imported))).definition).toEqual(imported);
      }),
      { numRuns: 100, seed: SEED },
    );
  }, 120_000);

  it('keeps an empty branch apart from a missing one, and any case value', async () => {
    const definition = {
      id: 'branches',
      name: 'Branches',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook' },
      steps: [
        { id: 'check', type: 'condition', input: { if: 'a' }, then: [] },
        {
          id: 'route',
          type: 'switch',
          input: { value: 'b' },
          // A computed key: a literal __proto__ would set the prototype.
          cases: { '': [], ['__proto__']: [{ id: 'odd', type: 'stop' }], 'a/b~c <&>': [] },
          default: [],
        },
      ],
    } as unknown as ProcessDefinition;
    const { definition: imported } = await fromBpmn(await toBpmn(definition));
    expect(imported.steps[0]).toEqual({ id: 'check', type: 'condition', input: { if: 'a' }, then: [] });
    expect(imported.steps[0]).not.toHaveProperty('else');
    expect(Object.keys(imported.steps[1].cases!)).toEqual(['', '__proto__', 'a/b~c <&>']);
    expect(imported.steps[1].default).toEqual([]);
  });
});

describe('toBpmn', () => {
  const catalogue = {
    id: 'lead',
    name: 'Every kind of step',
    version: 3,
    activeByDefault: true,
    trigger: { type: 'schedule', cron: '0 2 * * *', timezone: 'Europe/Berlin' },
    steps: [
      { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Email: 'email' } }, retry: { attempts: 3 } },
      { id: 'hot', type: 'condition', input: { if: 'score > 50' }, then: [{ id: 'note', type: 'set-variable', input: { name: 'n', value: 1 } }] },
      { id: 'tier', type: 'switch', input: { value: 'tier' }, cases: { gold: [], silver: [] } },
      {
        id: 'both',
        type: 'parallel',
        branches: [[{ id: 'left', type: 'map', input: { fields: { a: 1 } } }], [{ id: 'right', type: 'map', input: { fields: { b: 2 } } }]],
      },
      { id: 'lines', type: 'for-each', input: { items: 'items' }, steps: [{ id: 'line', type: 'map', input: { fields: { c: 3 } } }] },
      { id: 'coolDown', type: 'wait', input: { duration: 'P2D' } },
      { id: 'order', type: 'wait-for-webhook', input: { key: 'email', webhookKey: 'email' } },
      { id: 'approve', type: 'wait-for-approval', input: { title: 'Approve' } },
      { id: 'enrich', type: 'call-process', input: { process: 'enrich-lead', wait: true } },
      {
        id: 'guarded',
        type: 'condition',
        input: { if: 'x' },
        then: [{ id: 'inner', type: 'fail', input: { message: 'inner' } }],
        onError: [{ id: 'handle', type: 'set-variable', input: { name: 'e', value: '$error.message' } }],
      },
      { id: 'early', type: 'stop', description: 'Not the last step: a task' },
      { id: 'done', type: 'fail', input: { message: 'The end' } },
    ],
  } as unknown as ProcessDefinition;

  it('draws each step as the BPMN element of its meaning', async () => {
    const { warnings, byId } = await elementsOf(await toBpmn(catalogue));
    expect(warnings).toEqual([]);
    // The process id is a step id too, so the process element is prefixed.
    expect(processElementId(catalogue)).toBe('Process_lead');
    expect(byId['Process_lead']).toMatchObject({ $type: 'bpmn:Process', name: 'Every kind of step', isExecutable: true });
    expect(byId['Start-process'].eventDefinitions![0]).toMatchObject({ $type: 'bpmn:TimerEventDefinition', timeCycle: { body: '0 2 * * *' } });
    expect(byId.lead.$type).toBe('bpmn:ServiceTask');
    expect(byId.hot).toMatchObject({ $type: 'bpmn:ExclusiveGateway', default: { id: 'Flow-hot-else', targetRef: { id: 'hot-join' } } });
    expect(byId['Flow-hot-then'].conditionExpression).toMatchObject({ body: 'score > 50' });
    expect(byId['Flow-tier-case-1']).toMatchObject({ name: 'silver', targetRef: { id: 'tier-join' } });
    expect([byId.both.$type, byId['both-join'].$type]).toEqual(['bpmn:ParallelGateway', 'bpmn:ParallelGateway']);
    expect(byId.lines).toMatchObject({ $type: 'bpmn:SubProcess', loopCharacteristics: { $type: 'bpmn:MultiInstanceLoopCharacteristics', isSequential: true } });
    expect(byId.line.$parent!.id).toBe('lines');
    expect(byId.coolDown.eventDefinitions![0]).toMatchObject({ $type: 'bpmn:TimerEventDefinition', timeDuration: { body: 'P2D' } });
    expect(byId.order).toMatchObject({ $type: 'bpmn:IntermediateCatchEvent', eventDefinitions: [{ $type: 'bpmn:MessageEventDefinition' }] });
    expect(byId.approve.$type).toBe('bpmn:UserTask');
    expect(byId.enrich).toMatchObject({ $type: 'bpmn:CallActivity', calledElement: 'enrich-lead' });
    // A gateway cannot carry a boundary event: the condition gets a sub-process of its own for its onError.
    expect(byId.guarded.$parent).toMatchObject({ $type: 'bpmn:SubProcess', id: 'guarded-scope' });
    expect(byId['guarded-error']).toMatchObject({ $type: 'bpmn:BoundaryEvent', attachedToRef: { id: 'guarded-scope' } });
    expect(byId.inner).toMatchObject({ $type: 'bpmn:EndEvent', eventDefinitions: [{ $type: 'bpmn:ErrorEventDefinition' }] });
    expect(byId.early.$type).toBe('bpmn:ServiceTask');
    expect(byId.done.eventDefinitions![0]).toMatchObject({ $type: 'bpmn:ErrorEventDefinition', errorRef: { name: 'The end' } });
    expect(byId['End-process']).toBeUndefined();
    expect(byId.lead.extensionElements!.values![0]).toMatchObject({ $type: 'hookflow:step', type: 'create-record' });
  });

  it('ends the process where every branch fails or stops, and draws them as tasks when steps follow', async () => {
    const ends = (then: string, after: unknown[]) =>
      ({
        id: 'ends',
        name: 'Ends',
        version: 1,
        activeByDefault: false,
        trigger: { type: 'webhook' },
        steps: [
          {
            id: 'check',
            type: 'condition',
            input: { if: 'a' },
            then: [{ id: then, type: 'fail', input: { message: 'no' } }],
            else: [{ id: 'quit', type: 'stop' }],
          },
          ...after,
        ],
      }) as ProcessDefinition;
    const last = ends('refuse', []);
    const { byId } = await elementsOf(await toBpmn(last));
    expect([byId.refuse.$type, byId.quit.$type, byId['check-join'], byId['End-process']]).toEqual(['bpmn:EndEvent', 'bpmn:EndEvent', undefined, undefined]);
    expect((await fromBpmn(await toBpmn(last))).definition).toEqual({ ...last, diagram: expect.any(Object) });

    // Steps after the condition could not be reached from end events: the branches end in tasks, into the join.
    const followed = ends('refuse', [{ id: 'after', type: 'map', input: { fields: { a: 1 } } }]);
    const drawn = (await elementsOf(await toBpmn(followed))).byId;
    expect([drawn.refuse.$type, drawn.quit.$type, drawn['Flow-check-join'].targetRef!.id]).toEqual(['bpmn:ServiceTask', 'bpmn:ServiceTask', 'after']);
    expect((await fromBpmn(await toBpmn(followed))).definition).toEqual({ ...followed, diagram: expect.any(Object) });
  });

  it('draws every element, and takes the positions a saved diagram has', async () => {
    const { definition } = await fromBpmn(await toBpmn(shipped('shopify-order.json')));
    const moved = { x: 600, y: 400, width: 120, height: 90 };
    const edited = { ...definition, diagram: { ...definition.diagram, shapes: { ...definition.diagram!.shapes, order: moved } } };
    const { definition: again } = await fromBpmn(await toBpmn(edited));
    expect(again.diagram!.shapes!.order).toEqual(moved);
    // The flows into and out of the moved task are drawn anew, to its new place.
    const [into, out] = [again.diagram!.edges!['Flow-contact-merge'], again.diagram!.edges!['Flow-order']];
    expect(into.at(-1)).toEqual([600, 445]);
    expect(out[0]).toEqual([720, 445]);
    expect(again.diagram!.edges!['Flow-Start-process']).toEqual(definition.diagram!.edges!['Flow-Start-process']);

    const { byId } = await elementsOf(await toBpmn(shipped('shopify-order.json')));
    const drawn = Object.values(byId).filter((element) => /^bpmndi:BPMN(Shape|Edge)$/.test(element.$type));
    const drawable = Object.values(byId).filter((element) => /^bpmn:(.*Task|.*Event|.*Gateway|SubProcess|SequenceFlow)$/.test(element.$type));
    expect(drawn.map((di) => di.bpmnElement!.id).sort()).toEqual(drawable.map((element) => element.id).sort());
  });
});

describe('fromBpmn', () => {
  it('reads a diagram drawn in bpmn-js: its element ids become the step ids', async () => {
    const { definition } = await fromBpmn(DRAWN);
    expect(definition).toEqual({
      id: '1a2b3c4',
      name: '1a2b3c4',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook' },
      steps: [
        {
          id: 'Activity_0x1y2z3',
          type: 'map',
          description: 'Normalise the form',
          input: { fields: { email: '$lowercase($trim(email))', score: '$number(score)' } },
        },
        {
          id: 'Gateway_1h0t2l3',
          type: 'condition',
          description: 'Hot lead?',
          input: { if: '$steps.Activity_0x1y2z3.score > 50' },
          then: [
            {
              id: 'Activity_1c2r3m4',
              type: 'create-record',
              description: 'Create the lead',
              input: { object: 'Lead', values: { Email: '$steps.Activity_0x1y2z3.email' } },
            },
          ],
          else: [{ id: 'Activity_0r1v2w3', type: 'wait-for-approval', description: 'Review the lead', input: { title: 'Review the lead' } }],
        },
        {
          id: 'Activity_1e2n3r4',
          type: 'call-process',
          description: 'Enrich',
          input: { process: 'enrich-lead', wait: true },
          onError: [{ id: 'Activity_0n1o2t3', type: 'set-variable', description: 'Note the failure', input: { name: 'enrichment', value: '$error.message' } }],
        },
      ],
      diagram: expect.any(Object),
    });
    expect(problemsOf(compiler.compile(definition))).toEqual([]);
    // Positions are kept under the ids toBpmn gives the helper elements, so they survive an export.
    const { shapes, edges } = definition.diagram!;
    expect(Object.keys(shapes!)).toHaveLength(11);
    expect(Object.keys(edges!)).toHaveLength(11);
    expect(shapes!['Start-process']).toEqual({ x: 152, y: 102, width: 36, height: 36 });
    expect(shapes!['Gateway_1h0t2l3-join']).toEqual({ x: 655, y: 95, width: 50, height: 50 });
    expect(shapes!['Activity_1e2n3r4-error']).toEqual({ x: 792, y: 142, width: 36, height: 36 });
    expect(shapes!['Activity_1e2n3r4-merge']).toEqual({ x: 1015, y: 95, width: 50, height: 50 });
    expect(edges!['Flow-Gateway_1h0t2l3-else']).toEqual([
      [420, 145],
      [420, 230],
      [500, 230],
    ]);
    expect(edges!['Flow-Activity_1e2n3r4-error']).toEqual([
      [810, 178],
      [810, 240],
      [860, 240],
    ]);

    const { definition: exported } = await fromBpmn(await toBpmn(definition));
    expect(exported).toEqual(definition);
  });

  it('reads a condition the console inserts on a flow: a stop on its "then" flow, its "else" flow (the default) straight to a join of one flow', async () => {
    // What the designer's "Insert a step here" makes (console-ui/src/views/designer/insert-step.js), without its positions.
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:hookflow="https://hookflow.dev/schema/bpmn/1" id="Definitions-process" targetNamespace="https://hookflow.dev/processes">
  <bpmn:message id="Message-process" name="Webhook" />
  <bpmn:process id="inserted" isExecutable="true">
    <bpmn:startEvent id="Start-process" name="Webhook"><bpmn:messageEventDefinition messageRef="Message-process" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow-Start-process" sourceRef="Start-process" targetRef="condition" />
    <bpmn:exclusiveGateway id="condition" default="Flow_0else01">
      <bpmn:extensionElements><hookflow:step type="condition" /></bpmn:extensionElements>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_1then01" name="then" sourceRef="condition" targetRef="stop">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">$exists(test) and test = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="stop" name="Stop test submissions">
      <bpmn:extensionElements><hookflow:step type="stop" /></bpmn:extensionElements>
      <bpmn:terminateEventDefinition />
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_0else01" name="else" sourceRef="condition" targetRef="condition-join" />
    <bpmn:exclusiveGateway id="condition-join" />
    <bpmn:sequenceFlow id="Flow_0join01" sourceRef="condition-join" targetRef="record" />
    <bpmn:serviceTask id="record" name="Create the lead">
      <bpmn:extensionElements>
        <hookflow:step type="create-record"><hookflow:input>{"object":"Lead","values":{"Email":"Email"}}</hookflow:input><hookflow:retry attempts="3" delay="PT30S" /></hookflow:step>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow-record" sourceRef="record" targetRef="End-process" />
    <bpmn:endEvent id="End-process" />
  </bpmn:process>
</bpmn:definitions>`;
    const { definition } = await fromBpmn(xml);
    expect(definition.steps).toEqual([
      {
        id: 'condition',
        type: 'condition',
        input: { if: '$exists(test) and test = true' },
        then: [{ id: 'stop', type: 'stop', description: 'Stop test submissions' }],
      },
      {
        id: 'record',
        type: 'create-record',
        description: 'Create the lead',
        input: { object: 'Lead', values: { Email: 'Email' } },
        retry: { attempts: 3, delay: 'PT30S' },
      },
    ]);
    expect(problemsOf(compiler.compile(definition))).toEqual([]);
    const { definition: exported } = await fromBpmn(await toBpmn(definition));
    expect(exported.steps).toEqual(definition.steps);
  });

  it('keeps what a designer changed in the BPMN over the extension copy', async () => {
    const xml = (await toBpmn(shipped('nightly-signups-pull.json')))
      .replace(
        '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">0 2 * * *</bpmn:timeCycle>',
        '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">0 3 * * *</bpmn:timeCycle>',
      )
      .replace('<bpmn:documentation>The day before the tick, as YYYY-MM-DD</bpmn:documentation>', '<bpmn:documentation>Yesterday</bpmn:documentation>');
    const { definition } = await fromBpmn(xml);
    expect(definition.trigger).toEqual({ type: 'schedule', cron: '0 3 * * *', timezone: 'Europe/Berlin' });
    expect(definition.steps[0].description).toBe('Yesterday');
  });

  it('refuses an inclusive gateway', async () => {
    const problems = await refusal(
      document(`${START}
    <bpmn:inclusiveGateway id="Gateway_0or" name="Which teams?" />
    ${task('Activity_a', 'Sales')} ${task('Activity_b', 'Support')}
    <bpmn:inclusiveGateway id="Gateway_0orjoin" /> ${END}
    ${flow('Flow_1', 'StartEvent_1', 'Gateway_0or')} ${flow('Flow_2', 'Gateway_0or', 'Activity_a')} ${flow('Flow_3', 'Gateway_0or', 'Activity_b')}
    ${flow('Flow_4', 'Activity_a', 'Gateway_0orjoin')} ${flow('Flow_5', 'Activity_b', 'Gateway_0orjoin')} ${flow('Flow_6', 'Gateway_0orjoin', 'Event_0end')}`),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ elementId: 'Gateway_0or', elementName: 'Which teams?', message: expect.stringMatching(/^an inclusive gateway/) }),
    );
  });

  it('refuses a compensation boundary event', async () => {
    const problems = await refusal(
      document(`${START} ${task('Activity_charge', 'Charge the card')}
    <bpmn:boundaryEvent id="Event_refund" name="Refund" attachedToRef="Activity_charge"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent> ${END}
    ${flow('Flow_1', 'StartEvent_1', 'Activity_charge')} ${flow('Flow_2', 'Activity_charge', 'Event_0end')}`),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        elementId: 'Event_refund',
        elementName: 'Refund',
        message: expect.stringMatching(/^a compensation boundary event .*does not compensate/),
      }),
    );
  });

  it('refuses a split whose branches never meet at a join', async () => {
    const problems = await refusal(
      document(`${START}
    <bpmn:exclusiveGateway id="Gateway_known" name="Known customer?" default="Flow_3" />
    ${task('Activity_a', 'Update')} ${task('Activity_b', 'Create')}
    <bpmn:endEvent id="Event_endA" name="Updated" /> <bpmn:endEvent id="Event_endB" name="Created" />
    ${flow('Flow_1', 'StartEvent_1', 'Gateway_known')} ${flow('Flow_2', 'Gateway_known', 'Activity_a', ' name="yes"')} ${flow('Flow_3', 'Gateway_known', 'Activity_b')}
    ${flow('Flow_4', 'Activity_a', 'Event_endA')} ${flow('Flow_5', 'Activity_b', 'Event_endB')}`),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        elementId: 'Event_endA',
        elementName: 'Updated',
        path: '/steps/0/then/1',
        message: expect.stringMatching(/in the middle of a branch/),
      }),
    );
  });

  it('refuses a flow that loops back', async () => {
    const problems = await refusal(
      document(`${START} ${task('Activity_fetch', 'Fetch a page')}
    <bpmn:exclusiveGateway id="Gateway_more" name="More pages?" default="Flow_3" /> ${END}
    ${flow('Flow_1', 'StartEvent_1', 'Activity_fetch')} ${flow('Flow_2', 'Activity_fetch', 'Gateway_more')} ${flow('Flow_3', 'Gateway_more', 'Event_0end')}
    ${flow('Flow_again', 'Gateway_more', 'Activity_fetch', ' name="next page"')}`),
    );
    expect(problems).toEqual([
      expect.objectContaining({ elementId: 'Flow_again', elementName: 'next page', message: expect.stringMatching(/^leads back to Activity_fetch/) }),
    ]);
  });

  it('refuses two start events', async () => {
    const problems = await refusal(
      document(`${START} <bpmn:startEvent id="StartEvent_2" name="Every night"><bpmn:timerEventDefinition /></bpmn:startEvent>
    ${task('Activity_a', 'Form')} ${task('Activity_b', 'Nightly')} ${END} <bpmn:endEvent id="Event_1end" />
    ${flow('Flow_1', 'StartEvent_1', 'Activity_a')} ${flow('Flow_2', 'Activity_a', 'Event_0end')}
    ${flow('Flow_3', 'StartEvent_2', 'Activity_b')} ${flow('Flow_4', 'Activity_b', 'Event_1end')}`),
    );
    expect(problems).toEqual([
      expect.objectContaining({ elementId: 'StartEvent_2', elementName: 'Every night', message: expect.stringMatching(/second start event/) }),
    ]);
  });

  it('refuses XML that does not parse, naming the element where it breaks', async () => {
    const xml = document(`${START}\n    <bpmn:serviceTask id="Activity_half" name="Half written">\n    <bpmn:endEvent id="Event_0end" />`);
    const problems = await refusal(xml);
    expect(problems).toEqual([
      expect.objectContaining({ elementId: 'Activity_half', elementName: 'Half written', message: expect.stringMatching(/^is not BPMN 2.0 XML/) }),
    ]);
    expect((await refusal('not xml at all'))[0]).toMatchObject({ path: '/', elementId: '', message: expect.stringMatching(/^is not BPMN 2.0 XML/) });
  });

  it.each([
    [
      'a moddle warning',
      `${START} <bpmn:serviceTask id="Activity_odd" name="Odd" colour="red" /> ${END} ${flow('Flow_1', 'StartEvent_1', 'Activity_odd')} ${flow('Flow_2', 'Activity_odd', 'Event_0end')}`,
      'Activity_odd',
      /unknown attribute <colour>/,
    ],
    [
      'an event-based gateway',
      `${START} <bpmn:eventBasedGateway id="Gateway_race" name="First to come" /> ${END} ${flow('Flow_1', 'StartEvent_1', 'Gateway_race')} ${flow('Flow_2', 'Gateway_race', 'Event_0end')}`,
      'Gateway_race',
      /event-based gateway/,
    ],
    [
      'a signal end event',
      `${START} <bpmn:endEvent id="Event_signal" name="Tell the others"><bpmn:signalEventDefinition /></bpmn:endEvent> ${flow('Flow_1', 'StartEvent_1', 'Event_signal')}`,
      'Event_signal',
      /^a signal end event/,
    ],
    [
      'a parallel multi-instance sub-process',
      `${START} <bpmn:subProcess id="Activity_all" name="All at once"><bpmn:multiInstanceLoopCharacteristics /></bpmn:subProcess> ${END} ${flow('Flow_1', 'StartEvent_1', 'Activity_all')} ${flow('Flow_2', 'Activity_all', 'Event_0end')}`,
      'Activity_all',
      /one after the other/,
    ],
    [
      'a data object a task reads',
      `${START} <bpmn:dataObjectReference id="DataObjectReference_1" name="Price list" dataObjectRef="DataObject_1" /><bpmn:dataObject id="DataObject_1" />
      <bpmn:serviceTask id="Activity_price" name="Price"><bpmn:property id="Property_1" name="__targetRef_placeholder" /><bpmn:dataInputAssociation id="DataInputAssociation_1"><bpmn:sourceRef>DataObjectReference_1</bpmn:sourceRef><bpmn:targetRef>Property_1</bpmn:targetRef></bpmn:dataInputAssociation></bpmn:serviceTask>
      ${END} ${flow('Flow_1', 'StartEvent_1', 'Activity_price')} ${flow('Flow_2', 'Activity_price', 'Event_0end')}`,
      'DataObjectReference_1',
      /not from data objects/,
    ],
    [
      'a flow out of a sub-process',
      `${START} <bpmn:subProcess id="Activity_each" name="Each line"><bpmn:multiInstanceLoopCharacteristics isSequential="true" /><bpmn:startEvent id="Event_in" />${task('Activity_line', 'Line')}
      ${flow('Flow_in', 'Event_in', 'Activity_line')}</bpmn:subProcess> ${END}
      ${flow('Flow_1', 'StartEvent_1', 'Activity_each')} ${flow('Flow_2', 'Activity_each', 'Event_0end')} ${flow('Flow_out', 'Activity_line', 'Event_0end', ' name="escape"')}`,
      'Flow_out',
      /crosses the border of the sub-process Activity_each/,
    ],
    [
      'a task without a step type',
      `${START} <bpmn:task id="Activity_what" name="Something" /> ${END} ${flow('Flow_1', 'StartEvent_1', 'Activity_what')} ${flow('Flow_2', 'Activity_what', 'Event_0end')}`,
      'Activity_what',
      /^which step is it\?/,
    ],
    [
      'a non-interrupting error boundary event',
      `${START} ${task('Activity_call', 'Call')} <bpmn:boundaryEvent id="Event_soft" name="On the side" attachedToRef="Activity_call" cancelActivity="false"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
      ${END} ${flow('Flow_1', 'StartEvent_1', 'Activity_call')} ${flow('Flow_2', 'Activity_call', 'Event_0end')}`,
      'Event_soft',
      /non-interrupting/,
    ],
  ])('refuses %s', async (_what, body, elementId, message) => {
    const problems = await refusal(document(body));
    expect(problems).toContainEqual(expect.objectContaining({ elementId, message: expect.stringMatching(message) }));
    expect(problems.find((problem) => problem.elementId === elementId)!.elementName).not.toBe('');
  });
});

describe('elementIdOfPath', () => {
  const definition = shipped('lead-order-follow-up.json');

  it.each([
    ['/steps/3/then/0/input/body/subject', 'crmTask'],
    ['/steps/3/else/0', 'customer'],
    ['/steps/3/input/if', 'ordered'],
    ['/steps/2/retry/delay', 'order'],
    ['/steps/9/input', 'lead-order-follow-up'],
    ['/trigger/condition', 'Start-process'],
    ['/name', 'lead-order-follow-up'],
    ['/', 'lead-order-follow-up'],
  ])('%s belongs to %s', async (pointer, elementId) => {
    expect(elementIdOfPath(definition, pointer)).toBe(elementId);
    expect(await toBpmn(definition)).toContain(` id="${elementId}"`);
  });

  it('follows cases, parallel branches and onError', () => {
    const nested = {
      ...definition,
      id: 'contact',
      steps: [
        {
          id: 'contact',
          type: 'switch',
          input: { value: 'a' },
          cases: { 'a/b~c': [{ id: 'slash', type: 'stop' }] },
          onError: [{ id: 'rescue', type: 'parallel', branches: [[{ id: 'one', type: 'stop' }], [{ id: 'two', type: 'stop' }]] }],
        },
      ],
    } as ProcessDefinition;
    expect(elementIdOfPath(nested, '/steps/0/cases/a~1b~0c/0/input')).toBe('slash');
    expect(elementIdOfPath(nested, '/steps/0/onError/0/branches/1/0/type')).toBe('two');
    expect(elementIdOfPath(nested, '/steps/0/cases/missing/0')).toBe('contact');
    expect(elementIdOfPath(nested, '/id')).toBe('Process_contact');
  });
});

describe('the diagram property of a definition', () => {
  it('is accepted by the compiler and changes nothing it compiles', async () => {
    const definition = shipped('shopify-order.json');
    const { definition: withDiagram } = await fromBpmn(await toBpmn(definition));
    const [plain, drawn] = [compiler.compile(definition), compiler.compile(withDiagram)];
    expect(problemsOf(drawn)).toEqual([]);
    if (!plain.ok || !drawn.ok) throw new Error('expected both to compile');
    expect(drawn.process.steps.map((step) => step.definition)).toEqual(plain.process.steps.map((step) => step.definition));
    expect(drawn.process.steps.map((step) => Object.keys(step.branches))).toEqual(plain.process.steps.map((step) => Object.keys(step.branches)));
    expect(drawn.process.definition.diagram).toBe(withDiagram.diagram);
  });

  it('is refused beyond its limits', () => {
    const definition = shipped('landing-page-lead.json');
    const far = { ...definition, diagram: { shapes: { lead: { x: 1e9, y: 0, width: 100, height: 80 } }, edges: { 'Flow-lead': [[0, 0]] } } };
    expect(problemsOf(compiler.compile(far))).toEqual(
      expect.arrayContaining(['/diagram/shapes/lead/x: must be <= 1000000', '/diagram/edges/Flow-lead: must NOT have fewer than 2 items']),
    );
    const tooMany = {
      ...definition,
      diagram: { shapes: Object.fromEntries(Array.from({ length: 2001 }, (_, index) => [`s${index}`, { x: 0, y: 0, width: 1, height: 1 }])) },
    };
    expect(problemsOf(compiler.compile(tooMany))).toEqual(['/diagram/shapes: must NOT have more than 2000 properties']);
  });
});
