import Modeler from 'bpmn-js/lib/Modeler';
// Imported here, in the designer's chunk: Vite emits these and the fonts they name as the console's own files.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import { extensionOf, HOOKFLOW_PACKAGE, jsonText } from '../../../../src/engine/bpmn/hookflow-moddle.ts';
import './designer.css';

const PROBLEM = 'hf-problem';
const COUNTS = 'hf-counts';
/** The elements the engine reads as a step of the type their hookflow:step names (bpmn-to-definition's TASKS). */
const TASKS = new Set(['Task', 'ServiceTask', 'SendTask', 'ReceiveTask', 'UserTask', 'ManualTask', 'ScriptTask', 'BusinessRuleTask', 'CallActivity']);

/**
 * A bpmn-js Modeler that knows the `hookflow:` extension the service writes (a step's type and
 * input), so that it reads them as typed elements and writes them back as they were. Its
 * keyboard bindings work while the canvas has the focus (bpmn-js binds them to the canvas).
 */
export function createModeler(container) {
  return new Modeler({ container, moddleExtensions: { hookflow: HOOKFLOW_PACKAGE } });
}

const MARGIN = 20;
const MIN_SCALE = 0.5;

/** Shows a document: the diagram fitted into the canvas beside the palette. */
export async function showDocument(modeler, xml) {
  const { warnings } = await modeler.importXML(xml);
  fit(modeler.get('canvas'));
  return warnings;
}

/** bpmn-js's own "fit-viewport" puts the diagram under its palette: fit it into the space right of it. */
function fit(canvas) {
  const palette = canvas.getContainer().querySelector('.djs-palette');
  const left = (palette ? palette.offsetLeft + palette.offsetWidth : 0) + MARGIN;
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height) return;
  // Never larger than it is, nor so small that labels cannot be read (a narrow window): the rest is panned to.
  const scale = Math.max(MIN_SCALE, Math.min(1, (outer.width - left - MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height));
  const height = outer.height / scale;
  canvas.viewbox({ x: inner.x - left / scale, y: inner.y + inner.height / 2 - height / 2, width: outer.width / scale, height });
}

/** What the side panel shows of a selected element: its id, name and BPMN type, and the Hookflow step it is, if any. */
export function describeElement(element) {
  const target = element.labelTarget ?? element;
  const business = target.businessObject;
  const step = extensionOf(business, 'hookflow:Step');
  const bpmnType = business.$type.replace(/^bpmn:/, '');
  return {
    id: target.id,
    name: business.name ?? '',
    bpmnType,
    isTask: TASKS.has(bpmnType),
    step: step && { type: step.type, input: inputOf(step) },
  };
}

/**
 * Gives a task the step type: a hookflow:step in its extension elements (created when it has
 * none). Through bpmn-js's modeling, so that Ctrl+Z undoes it and the diagram counts as changed.
 */
export function setStepType(modeler, id, type) {
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  const modeling = modeler.get('modeling');
  const moddle = modeler.get('moddle');
  const business = element.businessObject;
  const step = extensionOf(business, 'hookflow:Step');
  if (step) {
    modeling.updateModdleProperties(element, step, { type });
    return;
  }
  const created = moddle.create('hookflow:Step', { type });
  const extensions = business.extensionElements;
  if (extensions) {
    modeling.updateModdleProperties(element, extensions, { values: [...(extensions.values ?? []), created] });
    created.$parent = extensions;
  } else {
    const made = moddle.create('bpmn:ExtensionElements', { values: [created] });
    created.$parent = made;
    made.$parent = business;
    modeling.updateProperties(element, { extensionElements: made });
  }
}

/** Writes a step's input (an object; undefined: none) into its hookflow:input, as the JSON text the service reads. */
export function setStepInput(modeler, id, input) {
  const element = modeler.get('elementRegistry').get(id);
  const step = element && extensionOf(element.businessObject, 'hookflow:Step');
  if (!step) return;
  const modeling = modeler.get('modeling');
  if (input === undefined || Object.keys(input).length === 0) {
    if (step.input) modeling.updateModdleProperties(element, step, { input: undefined });
    return;
  }
  const json = jsonText(input);
  if (step.input) {
    if (step.input.json !== json) modeling.updateModdleProperties(element, step.input, { json });
    return;
  }
  const created = modeler.get('moddle').create('hookflow:Input', { json });
  created.$parent = step;
  modeling.updateModdleProperties(element, step, { input: created });
}

/** The step's input: JSON in the document, shown as its text when it is not JSON (the server says why on save). */
function inputOf(step) {
  const json = step.input?.json;
  if (json === undefined) return undefined;
  try {
    return { value: JSON.parse(json) };
  } catch {
    return { text: json };
  }
}

/**
 * Marks each problem's element (a CSS marker and a badge overlay); answers the problems with
 * `onDiagram` set when their element is drawn, so the list can offer to show it.
 */
export function markProblems(modeler, problems) {
  const registry = modeler.get('elementRegistry');
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  return problems.map((problem) => {
    const element = problem.elementId ? registry.get(problem.elementId) : undefined;
    // The process itself (its id, its name) is the canvas, not an element to point at.
    if (!element || element === canvas.getRootElement()) return { ...problem, onDiagram: false };
    if (!canvas.hasMarker(element, PROBLEM)) {
      canvas.addMarker(element, PROBLEM);
      const badge = document.createElement('span');
      badge.className = 'hf-problem-badge';
      badge.textContent = '!';
      badge.title = problem.message;
      overlays.add(element, PROBLEM, { position: { top: -10, right: 10 }, html: badge });
    }
    return { ...problem, onDiagram: true };
  });
}

export function clearProblems(modeler) {
  const canvas = modeler.get('canvas');
  for (const element of modeler.get('elementRegistry').getAll()) canvas.removeMarker(element, PROBLEM);
  modeler.get('overlays').remove({ type: PROBLEM });
}

/**
 * Badges on each element counted in the period (GET …/element-counts): how many instances wait
 * there, failed there and went through it, the ones that are not zero. Replaces earlier ones.
 */
export function showCounts(modeler, elements) {
  clearCounts(modeler);
  const registry = modeler.get('elementRegistry');
  const overlays = modeler.get('overlays');
  for (const [id, count] of Object.entries(elements)) {
    const element = registry.get(id);
    if (!element) continue;
    const badges = document.createElement('span');
    badges.className = 'hf-counts';
    badges.dataset.element = id;
    for (const [what, label] of COUNT_KINDS) {
      if (!count[what]) continue;
      const badge = document.createElement('span');
      badge.className = `hf-count hf-count-${what}`;
      badge.textContent = String(count[what]);
      badge.title = `${count[what]} ${label}`;
      badges.append(badge);
    }
    if (badges.childElementCount > 0) overlays.add(element, COUNTS, { position: { top: -22, left: 0 }, html: badges });
  }
}

const COUNT_KINDS = [
  ['waiting', 'waiting here'],
  ['failed', 'failed here'],
  ['completed', 'went through'],
];

export function clearCounts(modeler) {
  modeler.get('overlays').remove({ type: COUNTS });
}

/** The name an element has on the diagram (its id when it has none), for texts about it. */
export function elementLabel(modeler, id) {
  const element = modeler.get('elementRegistry').get(id);
  return element?.businessObject?.name || id;
}

/** Selects an element, scrolls it into view and gives the canvas the focus, so the keyboard acts on it. */
export function showElement(modeler, id) {
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  const canvas = modeler.get('canvas');
  modeler.get('selection').select(element);
  canvas.scrollToElement(element);
  canvas.focus?.();
}

/** Offers a text as a file to download. */
export function download(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the browser reads the object URL after the click, not during it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
