import { describe, expect, it } from '@jest/globals';
import { rebaseDefinition } from './definition-rebase.js';
import type { ProcessDefinition } from './definition-types.js';

const base: ProcessDefinition = {
  id: 'p',
  name: 'P',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'a', type: 'create-record', input: { object: 'Lead', values: { Name: 'Name', Email: 'Email' } } },
    { id: 'b', type: 'stop' },
  ],
};

const edit = (definition: ProcessDefinition, change: (copy: ProcessDefinition) => void): ProcessDefinition => {
  const copy = structuredClone(definition);
  change(copy);
  return copy;
};

describe('rebaseDefinition', () => {
  it('applies the paths the base changed that the override left alone, and keeps the override’s own changes', () => {
    const newBase = edit(base, (d) => {
      d.version = 2;
      (d.steps[0].input!.values as Record<string, unknown>).Email = '$lowercase(Email)';
      d.steps[1].description = 'the end';
      delete (d.steps[0].input!.values as Record<string, unknown>).Name;
    });
    const override = edit(base, (d) => {
      d.version = 2;
      (d.steps[0].input!.values as Record<string, unknown>).Phone = 'Phone';
    });
    const rebased = rebaseDefinition(base, newBase, override);
    expect(rebased.conflicts).toEqual([]);
    expect(rebased.definition.version).toBe(2);
    expect(rebased.definition.steps[0].input!.values).toEqual({ Email: '$lowercase(Email)', Phone: 'Phone' });
    expect(rebased.definition.steps[1].description).toBe('the end');
  });

  it('names each path both changed differently, and accepts one both changed alike', () => {
    const newBase = edit(base, (d) => {
      (d.steps[0].input!.values as Record<string, unknown>).Name = '$trim(Name)';
      (d.steps[0].input!.values as Record<string, unknown>).Email = '$trim(Email)';
    });
    const override = edit(base, (d) => {
      (d.steps[0].input!.values as Record<string, unknown>).Name = '$uppercase(Name)';
      (d.steps[0].input!.values as Record<string, unknown>).Email = '$trim(Email)';
    });
    expect(rebaseDefinition(base, newBase, override).conflicts).toEqual(['/steps/0/input/values/Name']);
  });

  it('treats an array whose length changed as one value: a new base step conflicts with changed steps', () => {
    const newBase = edit(base, (d) => d.steps.push({ id: 'c', type: 'stop' }));
    const changedSteps = edit(base, (d) => (d.steps[1].description = 'mine'));
    expect(rebaseDefinition(base, newBase, changedSteps).conflicts).toEqual(['/steps']);
    expect(
      rebaseDefinition(
        base,
        newBase,
        edit(base, (d) => (d.name = 'Mine')),
      ).definition.steps,
    ).toHaveLength(3);
  });
});
