import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../config/config.js';
import { stepTypesForCompiling } from '../../test/support/step-types.js';
import { DefinitionCompiler } from './definition-compiler.js';
import { ProcessRunner } from './process-runner.js';
import { StepRegistry } from './step-registry.js';
import { ForEachStep } from './steps/for-each.step.js';
import type { StepCall, StepResult, StepType } from './step-type.js';

/** Answers the key its writes would be made under, as record steps build it. */
class WriteKeyStep implements StepType {
  readonly type = 'write-key';
  readonly description = 'Outputs the write key of the step.';
  readonly inputSchema = { type: 'object' };

  async execute({ step, run }: StepCall<Record<string, unknown>>): Promise<StepResult> {
    return { ok: true, output: `${run.writeKey}:${step.id}` };
  }
}

function compilerWith(forEach: ForEachStep = new ForEachStep()) {
  const steps = stepTypesForCompiling().filter((step) => step.type !== 'for-each');
  return new DefinitionCompiler(new StepRegistry([...steps, forEach, new WriteKeyStep()] as StepType<never, unknown>[]));
}

function definition(steps: unknown[]) {
  return { id: 'loops', name: 'Loops', version: 1, activeByDefault: false, trigger: { type: 'webhook' }, steps };
}

async function run(steps: unknown[], payload: Record<string, unknown>, compiler = compilerWith()) {
  const compiled = compiler.compile(definition(steps));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return new ProcessRunner().run(compiled.process, {
    tenantId: 't',
    webhookId: 'w1',
    payload,
    webhook: { id: 'w1', apiKeyId: 'k', apiKeyName: 'Shop', receivedAt: new Date(0).toISOString() },
  });
}

const order = {
  id: 7,
  line_items: [
    { title: 'Mug', quantity: 2 },
    { title: 'Tea', quantity: 1 },
  ],
};

describe('for-each', () => {
  const lines = [
    {
      id: 'lines',
      type: 'for-each',
      input: { items: 'line_items' },
      steps: [
        { id: 'label', type: 'set-variable', input: { name: 'label', value: '$string($index) & ": " & $item.title & " x" & $string($item.quantity)' } },
        { id: 'key', type: 'write-key' },
      ],
    },
  ];

  it('runs its steps once per item with $item and $index; the output is each iteration’s outputs', async () => {
    const outcome = await run(lines, order);
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.map((entry) => entry.step)).toEqual(['lines', 'lines[0].label', 'lines[0].key', 'lines[1].label', 'lines[1].key']);
    const { trace } = await run([...lines, { id: 'after', type: 'set-variable', input: { name: 'all', value: '$steps.lines.label' } }], order);
    expect(trace.at(-1)?.output).toEqual(['0: Mug x2', '1: Tea x1']);
  });

  it('writes each iteration under a key of its own, the same in every run of the webhook', async () => {
    const keys = async () => (await run(lines, order)).trace.filter((entry) => entry.type === 'write-key').map((entry) => entry.output);
    const first = await keys();
    expect(first).toEqual(['w1:loops:lines[0]:key', 'w1:loops:lines[1]:key']);
    expect(await keys()).toEqual(first);
  });

  it('nests: an inner loop’s keys and trace names carry both indexes', async () => {
    const nested = [
      {
        id: 'outer',
        type: 'for-each',
        input: { items: 'rows' },
        steps: [{ id: 'inner', type: 'for-each', input: { items: '$item.cells' }, steps: [{ id: 'key', type: 'write-key' }] }],
      },
    ];
    const outcome = await run(nested, { rows: [{ cells: [1, 2] }, { cells: [3] }] });
    expect(outcome.trace.filter((entry) => entry.type === 'write-key').map((entry) => [entry.step, entry.output])).toEqual([
      ['outer[0].inner[0].key', 'w1:loops:outer[0]:inner[0]:key'],
      ['outer[0].inner[1].key', 'w1:loops:outer[0]:inner[1]:key'],
      ['outer[1].inner[0].key', 'w1:loops:outer[1]:inner[0]:key'],
    ]);
  });

  it('takes a single value as one item and nothing as none', async () => {
    expect((await run(lines, { line_items: { title: 'Mug', quantity: 1 } })).trace.map((entry) => entry.step)).toEqual([
      'lines',
      'lines[0].label',
      'lines[0].key',
    ]);
    expect((await run(lines, {})).trace.map((entry) => entry.step)).toEqual(['lines']);
  });

  it('refuses more items than FOR_EACH_MAX_ITEMS, saying so, and runs none of them', async () => {
    const outcome = await run(lines, order, compilerWith(new ForEachStep({ forEachMaxItems: 1 } as AppConfig)));
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: '"items" has 2 items; a for-each takes at most 1 (FOR_EACH_MAX_ITEMS)' });
    expect(outcome.trace.map((entry) => entry.step)).toEqual(['lines']);
  });

  it('stops the run at the iteration whose step fails, naming it', async () => {
    const failing = [
      { id: 'lines', type: 'for-each', input: { items: 'line_items' }, steps: [{ id: 'check', type: 'fail', input: { message: '"Out of " & $item.title' } }] },
    ];
    const outcome = await run(failing, order);
    expect(outcome.status).toBe('failed');
    expect(outcome.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['lines', 'ok'],
      ['lines[0].check', 'failed'],
    ]);
  });
});

describe('switch', () => {
  const bySize = [
    {
      id: 'size',
      type: 'switch',
      input: { value: 'quantity' },
      cases: {
        '1': [{ id: 'one', type: 'set-variable', input: { name: 'size', value: 'single' } }],
        '12': [{ id: 'dozen', type: 'set-variable', input: { name: 'size', value: 'dozen' } }],
      },
      default: [{ id: 'other', type: 'set-variable', input: { name: 'size', value: 'other' } }],
    },
  ];

  it.each([
    [{ quantity: 12 }, 'dozen', '12'],
    [{ quantity: '1' }, 'one', '1'],
    [{ quantity: 5 }, 'other', null],
    [{}, 'other', null],
  ])('%j runs %s', async (payload, step, matched) => {
    const outcome = await run(bySize, payload);
    expect(outcome.trace.map((entry) => entry.step)).toEqual(['size', step]);
    expect(outcome.trace[0].output).toEqual({ value: (payload as { quantity?: unknown }).quantity ?? null, case: matched });
  });
});

describe('nested steps in a definition', () => {
  it.each([
    [
      { id: 'v', type: 'set-variable', input: { name: 'a', value: 1 }, steps: [{ id: 'x', type: 'stop' }] },
      '/steps/0/steps',
      'only for-each steps have "steps"',
    ],
    [{ id: 'c', type: 'condition', input: { if: 'true' }, cases: { a: [{ id: 'x', type: 'stop' }] } }, '/steps/0/cases', 'only switch steps have "cases"'],
    [{ id: 's', type: 'switch', input: { value: 'a' }, then: [{ id: 'x', type: 'stop' }] }, '/steps/0/then', 'only condition steps have "then"'],
  ])('a kind of nested steps its type does not take is refused at its path', (step, path, message) => {
    const compiled = compilerWith().compile(definition([step]));
    expect(compiled.ok ? [] : compiled.problems).toEqual([{ path, message }]);
  });

  it('a case name is a JSON Pointer token in the path of its problems', () => {
    const compiled = compilerWith().compile(
      definition([
        { id: 's', type: 'switch', input: { value: 'a' }, cases: { 'a/b': [{ id: 'x', type: 'set-variable', input: { name: 'v', value: '$$$(' } }] } },
      ]),
    );
    expect(compiled.ok ? [] : compiled.problems.map((problem) => problem.path)).toEqual(['/steps/0/cases/a~1b/0/input/value']);
  });
});

describe('onError', () => {
  const guarded = (onError: unknown[]) => [
    { id: 'check', type: 'fail', input: { messageFrom: "'No stock for ' & sku" }, onError },
    { id: 'after', type: 'set-variable', input: { name: 'went', value: "'on'" } },
  ];

  it('runs when the step fails, with $error; the run then goes on after the failed step', async () => {
    const outcome = await run(
      guarded([{ id: 'note', type: 'set-variable', input: { name: 'why', value: "$error.step & ': ' & $error.code & ': ' & $error.message" } }]),
      { sku: 'A-1' },
    );
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.map((entry) => [entry.step, entry.status, entry.output ?? entry.error])).toEqual([
      ['check', 'failed', 'No stock for A-1'],
      ['note', 'ok', 'check: PROCESS_FAILED: No stock for A-1'],
      ['after', 'ok', 'on'],
    ]);
  });

  it('fails the run when its own steps fail, and $error is gone after them', async () => {
    const outcome = await run(guarded([{ id: 'rethrow', type: 'fail', input: { messageFrom: "'Gave up: ' & $error.message" } }]), { sku: 'B-2' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Gave up: No stock for B-2');
    const later = await run(
      [
        ...guarded([{ id: 'noop', type: 'set-variable', input: { name: 'x', value: 1 } }]),
        { id: 'gone', type: 'set-variable', input: { name: 'e', value: '$exists($error.message)' } },
      ],
      { sku: 'C' },
    );
    expect(later.trace.at(-1)).toMatchObject({ step: 'gone', output: false });
  });

  it('on a for-each, takes the failure of an item: the loop ends there and the run goes on', async () => {
    const steps = [
      {
        id: 'lines',
        type: 'for-each',
        input: { items: 'items' },
        steps: [{ id: 'check', type: 'fail', input: { messageFrom: "'bad ' & $item" } }],
        onError: [{ id: 'note', type: 'set-variable', input: { name: 'why', value: '$error.message' } }],
      },
      { id: 'after', type: 'set-variable', input: { name: 'went', value: "'on'" } },
    ];
    const outcome = await run(steps, { items: ['a', 'b'] });
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.map((entry) => [entry.step, entry.output ?? entry.error])).toEqual([
      ['lines', { items: 2 }],
      ['lines[0].check', 'bad a'],
      ['note', 'bad a'],
      ['after', 'on'],
    ]);
  });

  it('in a for-each, handles the failing item and goes on with the next', async () => {
    const steps = [
      {
        id: 'lines',
        type: 'for-each',
        input: { items: 'items' },
        steps: [
          {
            id: 'check',
            type: 'fail',
            input: { messageFrom: "'bad ' & $item" },
            onError: [{ id: 'skip', type: 'set-variable', input: { name: 'skipped', value: '$index' } }],
          },
        ],
      },
    ];
    const outcome = await run(steps, { items: ['a', 'b'] });
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.map((entry) => entry.step)).toEqual(['lines', 'lines[0].check', 'lines[0].skip', 'lines[1].check', 'lines[1].skip']);
  });
});

describe('parallel', () => {
  it('runs its branches side by side and joins them; each branch keeps its trace, in branch order', async () => {
    const steps = [
      {
        id: 'both',
        type: 'parallel',
        branches: [
          [{ id: 'rows', type: 'for-each', input: { items: '[1, 2]' }, steps: [{ id: 'rowKey', type: 'write-key' }] }],
          [
            { id: 'plain', type: 'write-key' },
            { id: 'name', type: 'set-variable', input: { name: 'name', value: 'name' } },
          ],
        ],
      },
      { id: 'joined', type: 'set-variable', input: { name: 'all', value: '[$steps.rows.rowKey, $steps.plain, $vars.name]' } },
    ];
    const outcome = await run(steps, { name: 'Ada' });
    expect(outcome.status).toBe('completed');
    expect(outcome.trace.map((entry) => entry.step)).toEqual(['both', 'rows', 'rows[0].rowKey', 'rows[1].rowKey', 'plain', 'name', 'joined']);
    expect(outcome.trace.at(-1)?.output).toEqual(['w1:loops:rows[0]:rowKey', 'w1:loops:rows[1]:rowKey', 'w1:loops:plain', 'Ada']);
  });

  it('fails with the first failing branch once every branch has ended; onError may take it', async () => {
    const branches = [
      [{ id: 'bad', type: 'fail', input: { message: 'first branch failed' } }],
      [{ id: 'good', type: 'set-variable', input: { name: 'ran', value: true } }],
    ];
    const failed = await run([{ id: 'both', type: 'parallel', branches }], {});
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toBe('first branch failed');
    expect(failed.trace.map((entry) => [entry.step, entry.status])).toEqual([
      ['both', 'ok'],
      ['bad', 'failed'],
      ['good', 'ok'],
      ['both', 'failed'],
    ]);
    const handled = await run(
      [{ id: 'both', type: 'parallel', branches, onError: [{ id: 'note', type: 'set-variable', input: { name: 'why', value: '$error.message' } }] }],
      {},
    );
    expect(handled.status).toBe('completed');
    expect(handled.trace.at(-1)).toMatchObject({ step: 'note', output: 'first branch failed' });
  });
});

describe('limits of waits', () => {
  it('refuses a wait longer than WAIT_MAX_DAYS with LIMIT_EXCEEDED, saying so', async () => {
    const outcome = await run([{ id: 'later', type: 'wait', input: { until: 'dueAt' } }], { dueAt: '2999-01-01T00:00:00Z' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: 'A wait until 2999-01-01T00:00:00.000Z is longer than 366 days (WAIT_MAX_DAYS)' });
  });

  it('refuses a wait-for-webhook timeout longer than WAIT_MAX_DAYS with LIMIT_EXCEEDED', async () => {
    const wait = { id: 'order', type: 'wait-for-webhook', input: { key: "'k'", webhookKey: 'id', timeout: 'P400D' } };
    const outcome = await run([wait], {});
    expect(outcome.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: 'A timeout of more than 366 days (WAIT_MAX_DAYS) is not allowed' });
  });
});
