import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error The console's modules are plain JavaScript, checked by these tests.
import { changesAgainstBase, changesSummary } from '../console-ui/src/views/designer/base-changes.js';
import { fromBpmn } from '../src/engine/bpmn/bpmn-to-definition.js';
import { toBpmn } from '../src/engine/bpmn/definition-to-bpmn.js';
import type { ProcessDefinition, StepDefinition } from '../src/engine/definition-types.js';

const PROCESSES = fileURLToPath(new URL('../processes/', import.meta.url));
const shipped = (file: string): ProcessDefinition => JSON.parse(readFileSync(`${PROCESSES}${file}`, 'utf8'));
const base = shipped('create-object-records-from-webhook.json');

interface Changes {
  added: Array<{ id: string; name: string }>;
  changed: Array<{ id: string; name: string; what: string[] }>;
  removed: Array<{ id: string; name: string }>;
}
const compare = (definition: ProcessDefinition, against = base): Changes => changesAgainstBase(definition, against);
const withSteps = (steps: StepDefinition[]): ProcessDefinition => ({ ...base, steps });
const [object, fields, record] = base.steps;

/** The Designer's "Show changes against base" (console-ui/src/views/designer/base-changes.js): steps by id. */
describe('the diagram against its base', () => {
  it('finds nothing in the diagram of a base, for every shipped process', async () => {
    for (const file of readdirSync(PROCESSES).filter((name) => name.endsWith('.json') && name !== 'process.schema.json')) {
      const definition = shipped(file);
      const { definition: drawn } = await fromBpmn(await toBpmn(definition));
      expect({ file, ...compare(drawn, definition) }).toEqual({ file, added: [], changed: [], removed: [] });
    }
  });

  it('names the steps added (nested ones too), changed (and what of them) and removed', () => {
    const condition: StepDefinition = {
      id: 'condition',
      type: 'condition',
      input: { if: 'test = true' },
      then: [{ id: 'stop', type: 'stop', description: 'Stop test submissions' }],
    };
    const changes = compare(withSteps([condition, object, { ...record, description: 'Create it', retry: { attempts: 3 } }]));
    expect(changes).toEqual({
      added: [
        { id: 'condition', name: '' },
        { id: 'stop', name: 'Stop test submissions' },
      ],
      changed: [{ id: 'record', name: 'Create it', what: ['description', 'retry'] }],
      removed: [{ id: 'fields', name: fields.description }],
    });
    expect(changesSummary(changes)).toBe(
      `Against the base, added: condition, stop "Stop test submissions"; changed: record (description, retry); removed: fields "${fields.description}".`,
    );
  });

  it('counts a step moved into a branch as a change of the step that holds it, and no change in the order of keys', () => {
    const wrapped: StepDefinition = { id: 'check', type: 'condition', input: { if: 'true' }, then: [fields] };
    const before = compare(withSteps([object, wrapped, record]));
    const after = compare(withSteps([object, { ...wrapped, then: [], else: [fields] }, record]), withSteps([object, wrapped, record]));
    expect(before.added.map((step) => step.id)).toEqual(['check']);
    expect(before.changed).toEqual([]);
    expect(after.changed).toEqual([{ id: 'check', name: '', what: ['nested steps'] }]);
    const reordered = { ...record, input: { valuesFrom: '$steps.fields', objectFrom: '$steps.object.name' } };
    expect(compare(withSteps([object, fields, reordered]))).toEqual({ added: [], changed: [], removed: [] });
    expect(changesSummary(compare(base))).toBe('The diagram draws the base: no step added, changed or removed.');
  });
});
