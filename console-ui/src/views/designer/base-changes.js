import { fromBpmn } from '../../../../src/engine/bpmn/bpmn-to-definition.ts';
import { forEachStep, helperId } from '../../../../src/engine/bpmn/element-ids.ts';

/*
 * The diagram against the process's base, step by step (element id = step id): steps added, steps
 * changed (their type, input, description, retry, or which steps they hold), steps removed. The
 * diagram is read into a definition here, in the browser, with the service's own reader
 * (bpmn-to-definition), so that unsaved edits count and the comparison is the one a save makes.
 */

const MARKERS = { added: 'hf-added', changed: 'hf-changed' };
const OVERLAY = 'hf-change';
const COMPARED = [
  ['type', 'type'],
  ['input', 'input'],
  ['description', 'description'],
  ['retry', 'retry'],
];
const NESTED = ['then', 'else', 'steps', 'cases', 'default', 'branches', 'onError'];

/** The definition the diagram draws now, or the problems that keep it from being one (as a save would refuse them). */
export async function readDiagram(modeler) {
  const { xml } = await modeler.saveXML();
  try {
    return { definition: (await fromBpmn(xml)).definition, problems: [] };
  } catch (error) {
    const problems = error.details?.problems;
    if (!Array.isArray(problems)) throw error;
    return { definition: null, problems };
  }
}

/**
 * What the definition changed against the base: `added` and `removed` steps ({ id, name }),
 * `changed` ones with what of them changed ("input", "nested steps"…), each in the order of
 * their definition.
 */
export function changesAgainstBase(definition, base) {
  const before = stepsById(base.steps);
  const after = stepsById(definition.steps);
  const named = (step) => ({ id: step.id, name: step.description ?? '' });
  const changed = [];
  for (const step of after.values()) {
    const old = before.get(step.id);
    const what = old && differences(old, step);
    if (what?.length) changed.push({ ...named(step), what });
  }
  return {
    added: [...after.values()].filter((step) => !before.has(step.id)).map(named),
    changed,
    removed: [...before.values()].filter((step) => !after.has(step.id)).map(named),
  };
}

function stepsById(steps) {
  const found = new Map();
  forEachStep(steps, (step) => found.set(step.id, step));
  return found;
}

function differences(old, step) {
  const what = COMPARED.filter(([key]) => canonical(old[key]) !== canonical(step[key])).map(([, word]) => word);
  if (canonical(structure(old)) !== canonical(structure(step))) what.push('nested steps');
  return what;
}

/** Which steps a step holds, by id, in each of its lists: a step moved in or out of a branch changes the step that holds it. */
function structure(step) {
  const lists = {};
  for (const key of NESTED) {
    const value = step[key];
    if (Array.isArray(value) && key === 'branches') lists[key] = value.map((branch) => branch.map((nested) => nested.id));
    else if (Array.isArray(value)) lists[key] = value.map((nested) => nested.id);
    else if (value && typeof value === 'object')
      lists[key] = Object.fromEntries(Object.entries(value).map(([name, list]) => [name, list.map((nested) => nested.id)]));
  }
  return lists;
}

/** JSON with the keys of objects sorted: the same value written in another order is no change. */
function canonical(value) {
  return JSON.stringify(value, (_, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.keys(inner)
            .sort()
            .map((key) => [key, inner[key]]),
        )
      : inner,
  );
}

const listed = (list) => list.map((step) => (step.name && step.name !== step.id ? `${step.id} "${step.name}"` : step.id)).join(', ');

/** The comparison in words, for everyone and for screen readers: what was added, changed (and what of it) and removed. */
export function changesSummary(changes) {
  const { added, changed, removed } = changes;
  if (!added.length && !changed.length && !removed.length) return 'The diagram draws the base: no step added, changed or removed.';
  const parts = [];
  if (added.length) parts.push(`added: ${listed(added)}`);
  if (changed.length) parts.push(`changed: ${changed.map((step) => `${step.id} (${step.what.join(', ')})`).join(', ')}`);
  if (removed.length) parts.push(`removed: ${listed(removed)}`);
  return `Against the base, ${parts.join('; ')}.`;
}

/** Marks the added and changed steps' elements (a split's join with it) with a CSS marker and a badge that says it in words. */
export function showChanges(modeler, changes) {
  clearChanges(modeler);
  const registry = modeler.get('elementRegistry');
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  for (const kind of ['added', 'changed']) {
    for (const step of changes[kind]) {
      const element = registry.get(step.id);
      if (!element) continue;
      for (const marked of [element, registry.get(helperId.join(step.id))].filter(Boolean)) canvas.addMarker(marked, MARKERS[kind]);
      const badge = document.createElement('span');
      badge.className = `hf-change-badge hf-change-${kind}`;
      badge.dataset.element = step.id;
      badge.textContent = kind;
      if (step.what) badge.title = `changed: ${step.what.join(', ')}`;
      // Above the element, right: the counts take its left, an event's label is below it.
      overlays.add(element, OVERLAY, { position: { top: -20, right: 0 }, html: badge });
    }
  }
}

export function clearChanges(modeler) {
  const canvas = modeler.get('canvas');
  for (const element of modeler.get('elementRegistry').getAll()) {
    for (const marker of Object.values(MARKERS)) canvas.removeMarker(element, marker);
  }
  modeler.get('overlays').remove({ type: OVERLAY });
}
