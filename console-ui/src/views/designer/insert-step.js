import { helperId } from '../../../../src/engine/bpmn/element-ids.ts';
import { asOneChange } from './modeler.js';

/*
 * "Insert a step here" on a sequence flow: the step's element spliced into the flow, with room
 * made for it, as bpmn-to-definition reads it back (element id = step id). A task step is a
 * service task with its hookflow:step; a condition an exclusive gateway whose "then" flow (with
 * the condition expression) and "else" flow (the default) meet at a join; a stop or fail an end
 * event, only where it ends a branch (the flow goes into a join: the other branches still reach
 * it). It is one command: Ctrl+Z takes the whole insertion back.
 */

/** Horizontal room each kind of insertion takes, its element and the gaps beside it. */
const ROOM = { task: 150, condition: 280, end: 90 };
/** How far a new condition's split and join lie from the middle, and how far above them its "then" flow runs. */
const SPLIT_HALF = 75;
const THEN_RISE = 70;
const END_EVENTS = { stop: 'bpmn:TerminateEventDefinition', fail: 'bpmn:ErrorEventDefinition' };
/** Types with nested steps the insertion does not draw yet (condition does): the palette draws them. */
const NOT_INSERTED = new Set(['switch', 'parallel', 'for-each']);

/**
 * The step types offered for a flow, each with `disabled` and why: a stop or fail only where the
 * flow ends a branch, switch, parallel and for-each not at all (drawn with the palette).
 */
export function insertChoices(stepTypes, flow) {
  return stepTypes.map((stepType) => {
    if (NOT_INSERTED.has(stepType.type)) return { type: stepType.type, description: stepType.description, disabled: 'draw it with the palette' };
    if (END_EVENTS[stepType.type] && !flow.endsBranch)
      return { type: stepType.type, description: stepType.description, disabled: 'only where a branch ends (a flow into a join)' };
    return { type: stepType.type, description: stepType.description, disabled: null };
  });
}

/** Inserts a step of the type on the flow; answers the id of its element (the step id), selected. */
export function insertStep(modeler, flowId, type) {
  const registry = modeler.get('elementRegistry');
  const flow = registry.get(flowId);
  if (!flow) return null;
  const id = freeStepId(registry, type);
  const kind = type === 'condition' ? 'condition' : END_EVENTS[type] ? 'end' : 'task';
  let created;
  asOneChange(modeler, () => {
    makeRoom(modeler, flow, ROOM[kind]);
    const at = middleOf(flow);
    if (kind === 'condition') created = insertCondition(modeler, flow, at, id);
    else created = modeler.get('modeling').createShape(kind === 'end' ? endShape(modeler, id, type) : taskShape(modeler, id, type), at, flow);
  });
  modeler.get('selection').select(created);
  modeler.get('canvas').scrollToElement(created);
  return created.id;
}

/**
 * A split and its join on the flow: the flow's own path (straight) becomes the "else" flow, the
 * default; a flow above it the "then" flow, with an empty condition expression for the panel's
 * `if` field. Both branches are empty: flows straight to the join.
 */
function insertCondition(modeler, flow, at, id) {
  const modeling = modeler.get('modeling');
  const split = modeling.createShape(gatewayShape(modeler, id, 'condition'), { x: at.x - SPLIT_HALF, y: at.y }, flow);
  const out = split.outgoing[0];
  const join = modeling.createShape(gatewayShape(modeler, helperId.join(id)), { x: at.x + SPLIT_HALF, y: at.y }, out);
  const [from, to] = [centre(split), centre(join)];
  const rise = from.y - split.height / 2 - THEN_RISE;
  const then = modeling.connect(split, join, {
    type: 'bpmn:SequenceFlow',
    waypoints: [
      { x: from.x, y: from.y - split.height / 2 },
      { x: from.x, y: rise },
      { x: to.x, y: rise },
      { x: to.x, y: to.y - join.height / 2 },
    ],
  });
  modeling.updateProperties(then, { name: 'then', conditionExpression: modeler.get('moddle').create('bpmn:FormalExpression', { body: '' }) });
  modeling.updateProperties(out, { name: 'else' });
  modeling.updateProperties(split, { default: out.businessObject });
  return split;
}

function taskShape(modeler, id, type) {
  return modeler.get('elementFactory').createShape({ type: 'bpmn:ServiceTask', businessObject: stepElement(modeler, 'bpmn:ServiceTask', id, type) });
}

function gatewayShape(modeler, id, type) {
  const business = type ? stepElement(modeler, 'bpmn:ExclusiveGateway', id, type) : modeler.get('bpmnFactory').create('bpmn:ExclusiveGateway', { id });
  return modeler.get('elementFactory').createShape({ type: 'bpmn:ExclusiveGateway', businessObject: business });
}

function endShape(modeler, id, type) {
  return modeler.get('elementFactory').createShape({
    type: 'bpmn:EndEvent',
    businessObject: stepElement(modeler, 'bpmn:EndEvent', id, type),
    eventDefinitionType: END_EVENTS[type],
  });
}

/** A BPMN element with the hookflow:step of the type in its extension elements. */
function stepElement(modeler, bpmnType, id, type) {
  const moddle = modeler.get('moddle');
  const step = moddle.create('hookflow:Step', { type });
  const extensions = moddle.create('bpmn:ExtensionElements', { values: [step] });
  step.$parent = extensions;
  const business = modeler.get('bpmnFactory').create(bpmnType, { id, extensionElements: extensions });
  extensions.$parent = business;
  return business;
}

/** A step id from the type ("create-record" → createRecord, createRecord2…): step ids are letters, digits and "_". */
function freeStepId(registry, type) {
  const base = type.replace(/-([a-z0-9])/g, (_, letter) => letter.toUpperCase()).replace(/[^A-Za-z0-9_]/g, '') || 'step';
  const stem = /^[A-Za-z]/.test(base) ? base : `step${base}`;
  for (let counter = 1; ; counter++) {
    const id = counter === 1 ? stem : `${stem}${counter}`;
    if (!registry.get(id) && !registry.get(helperId.join(id))) return id;
  }
}

/** Moves what lies right of the flow's middle further right, bpmn-js's space tool as a command, so the new element fits. */
function makeRoom(modeler, flow, width) {
  const start = middleOf(flow).x;
  const spaceTool = modeler.get('spaceTool');
  const { movingShapes, resizingShapes } = spaceTool.calculateAdjustments(modeler.get('elementRegistry').getAll(), 'x', width, start);
  if (movingShapes.length || resizingShapes.length) modeler.get('modeling').createSpace(movingShapes, resizingShapes, { x: width, y: 0 }, 'e', start);
}

/** The middle of the flow's longest segment: where an element dropped there splits it (bpmn-js's DropOnFlowBehavior). */
function middleOf(flow) {
  let best = null;
  for (let index = 1; index < flow.waypoints.length; index++) {
    const [a, b] = [flow.waypoints[index - 1], flow.waypoints[index]];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (!best || length > best.length) best = { length, x: Math.round((a.x + b.x) / 2), y: Math.round((a.y + b.y) / 2) };
  }
  return { x: best.x, y: best.y };
}

function centre(shape) {
  return { x: shape.x + shape.width / 2, y: shape.y + shape.height / 2 };
}
