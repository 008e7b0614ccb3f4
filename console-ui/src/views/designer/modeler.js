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
  const modeler = new Modeler({ container, moddleExtensions: { hookflow: HOOKFLOW_PACKAGE } });
  // The modeling calls of one change run inside this command: diagram-js undoes a command with all it ran, so Ctrl+Z undoes the change at once.
  modeler.get('commandStack').register(ONE_CHANGE, { preExecute: (context) => context.change(), execute() {}, revert() {} });
  return modeler;
}

const ONE_CHANGE = 'hookflow.change';

/** Runs `change` (calls of bpmn-js's modeling) as one command: one Ctrl+Z undoes all of it. */
export function asOneChange(modeler, change) {
  modeler.get('commandStack').execute(ONE_CHANGE, { change });
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

/** What the side panel shows of a selected element: its id, name and BPMN type, the Hookflow step it is, and, for a sequence flow, its place in a split. */
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
    step: step && { type: step.type, input: inputOf(step), retry: retryOf(step) },
    split: target.waypoints ? null : splitOf(target),
    flow: target.waypoints && bpmnType === 'SequenceFlow' ? flowOf(target) : null,
  };
}

/**
 * Which step an exclusive gateway that splits is, as bpmn-to-definition reads it: its
 * hookflow:step's type, else a condition when it has two flows out and one is the default.
 * A condition's `if` is the condition expression of its "then" flow (the one that is not the default).
 */
function splitOf(shape) {
  const business = shape.businessObject;
  if (business.$type !== 'bpmn:ExclusiveGateway' || (shape.outgoing?.length ?? 0) < 2) return null;
  const type = extensionOf(business, 'hookflow:Step')?.type ?? (shape.outgoing.length === 2 && business.default ? 'condition' : 'switch');
  if (type !== 'condition') return { type };
  const then = shape.outgoing.find((flow) => flow.businessObject !== business.default);
  return { type, thenFlow: business.default ? then.id : null, condition: then.businessObject.conditionExpression?.body ?? '' };
}

/** A sequence flow: the split it leaves (then, else, a case or the default), and whether it ends a branch at its join. */
function flowOf(connection) {
  const split = splitOf(connection.source);
  const business = connection.businessObject;
  const isDefault = connection.source.businessObject.default === business;
  const role = !split ? null : split.type === 'condition' ? (isDefault ? 'else' : 'then') : isDefault ? 'default' : 'case';
  return {
    source: connection.source.id,
    target: connection.target.id,
    split: split?.type ?? null,
    role,
    isDefault,
    condition: business.conditionExpression?.body ?? '',
    endsBranch: isJoin(connection.target),
  };
}

/** A gateway where branches meet: more than one flow in, at most one out. */
export function isJoin(shape) {
  return /^bpmn:(Exclusive|Parallel)Gateway$/.test(shape.businessObject.$type) && shape.incoming.length > 1 && shape.outgoing.length <= 1;
}

function retryOf(step) {
  if (!step.retry) return undefined;
  const { attempts, delay, maxDelay } = step.retry;
  return { attempts, delay, maxDelay };
}

/**
 * Sets an element's name, which is a step's description on the diagram. The reader takes a
 * step's documentation over its name, so a documentation the element has is changed with it
 * (and dropped with an empty name: no description).
 */
export function setElementName(modeler, id, name) {
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  const business = element.businessObject;
  const modeling = modeler.get('modeling');
  const documentation = business.documentation?.[0];
  asOneChange(modeler, () => {
    if ((business.name ?? '') !== name) modeling.updateProperties(element, { name: name || undefined });
    if (!documentation || documentation.text === name) return;
    if (name) modeling.updateModdleProperties(element, documentation, { text: name });
    else modeling.updateModdleProperties(element, business, { documentation: [] });
  });
}

/** Sets a step's retry ({ attempts, delay, maxDelay }) as its hookflow:retry; undefined removes it. */
export function setStepRetry(modeler, id, retry) {
  const element = modeler.get('elementRegistry').get(id);
  const step = element && extensionOf(element.businessObject, 'hookflow:Step');
  if (!step) return;
  const modeling = modeler.get('modeling');
  if (!retry) {
    if (step.retry) modeling.updateModdleProperties(element, step, { retry: undefined });
    return;
  }
  const values = { attempts: retry.attempts, delay: retry.delay || undefined, maxDelay: retry.maxDelay || undefined };
  if (step.retry) {
    modeling.updateModdleProperties(element, step.retry, values);
    return;
  }
  const created = modeler.get('moddle').create('hookflow:Retry', values);
  created.$parent = step;
  modeling.updateModdleProperties(element, step, { retry: created });
}

/** Sets the condition expression of a sequence flow (a condition's `if` on its "then" flow); an empty text removes it. */
export function setFlowCondition(modeler, flowId, body) {
  const flow = modeler.get('elementRegistry').get(flowId);
  if (!flow) return;
  const modeling = modeler.get('modeling');
  const expression = flow.businessObject.conditionExpression;
  if (!body) {
    if (expression) modeling.updateProperties(flow, { conditionExpression: undefined });
  } else if (expression) {
    if (expression.body !== body) modeling.updateModdleProperties(flow, expression, { body });
  } else {
    modeling.updateProperties(flow, { conditionExpression: modeler.get('moddle').create('bpmn:FormalExpression', { body }) });
  }
}

/**
 * Makes a flow its gateway's default flow. Of a condition, the default is the "else" flow and
 * the other one's expression is the `if`: the expression moves to the flow that was the default,
 * so the condition keeps its `if` and its branches change places.
 */
export function setDefaultFlow(modeler, flowId) {
  const flow = modeler.get('elementRegistry').get(flowId);
  if (!flow) return;
  const gateway = flow.source;
  const previous = gateway.outgoing.find((other) => other.businessObject === gateway.businessObject.default);
  const modeling = modeler.get('modeling');
  const expression = flow.businessObject.conditionExpression;
  asOneChange(modeler, () => {
    if (previous && expression && splitOf(gateway)?.type === 'condition') {
      modeling.updateProperties(flow, { conditionExpression: undefined });
      setFlowCondition(modeler, previous.id, expression.body);
    }
    modeling.updateProperties(gateway, { default: flow.businessObject });
  });
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
