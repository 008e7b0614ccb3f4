import type { DefinitionProblem } from '../definition-compiler.js';
import type { BpmnElement } from './hookflow-moddle.js';

/** A problem of a BPMN diagram: where in the definition it would be, and the element to mark in the designer. */
export interface BpmnProblem extends DefinitionProblem {
  elementId: string;
  elementName: string;
}

export function problemAt(element: BpmnElement | undefined, message: string, path = '/'): BpmnProblem {
  return { path, message, elementId: element?.id ?? '', elementName: element?.name ?? '' };
}

const EVENT_KINDS: Record<string, string> = {
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:CompensateEventDefinition': 'compensation',
  'bpmn:LinkEventDefinition': 'link',
  'bpmn:CancelEventDefinition': 'cancel',
};

/** What each kind of event may be in a process Hookflow runs ("" is a plain event). */
const EVENTS: Record<string, { kinds: string[]; means: string }> = {
  'bpmn:StartEvent': {
    kinds: ['', 'message', 'timer', 'conditional'],
    means: 'a process starts on a webhook (message), a schedule (timer) or a record (conditional)',
  },
  'bpmn:IntermediateCatchEvent': { kinds: ['timer', 'message'], means: 'a process waits for a time (timer) or a webhook (message)' },
  'bpmn:BoundaryEvent': { kinds: ['error'], means: "a step's only boundary event is an error event (its onError steps)" },
  'bpmn:EndEvent': { kinds: ['', 'error', 'terminate'], means: 'a process ends, fails (error: a fail step) or stops (terminate: a stop step)' },
};

const HINTS: Record<string, string> = {
  compensation: 'Hookflow does not compensate: undo what is needed in onError steps',
  escalation: 'Hookflow has no escalations: handle the case with onError steps or a fail step',
  signal: 'Hookflow sends no signals between processes: a call-process step starts another process',
  link: 'Hookflow has no link events: draw the flow itself',
  cancel: 'Hookflow has no transactions to cancel',
};

const REFUSED_ELEMENTS: Record<string, string> = {
  'bpmn:InclusiveGateway':
    'an inclusive gateway takes any number of its paths at once; Hookflow takes one (exclusive gateway: condition, switch) or all (parallel gateway)',
  'bpmn:ComplexGateway': 'a complex gateway has no counterpart in Hookflow: use an exclusive or a parallel gateway',
  'bpmn:EventBasedGateway':
    'an event-based gateway waits for whichever event comes first; Hookflow waits for one thing at a time, with a timeout (wait-for-webhook, wait-for-approval)',
  'bpmn:IntermediateThrowEvent': 'Hookflow throws no events: an http-request step calls another system, a call-process step starts another process',
  'bpmn:Transaction': 'Hookflow runs no transactions: a failing step runs its onError steps',
  'bpmn:AdHocSubProcess': 'an ad-hoc sub-process has no order of steps for Hookflow to follow',
};

const DATA = new Set(['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference']);

/**
 * The flows of a process, indexed by the elements they join, and what in it Hookflow cannot run:
 * elements and events without a counterpart, flows across a sub-process's border, data objects
 * that feed a step, and loops back.
 */
export class FlowGraph {
  readonly problems: BpmnProblem[] = [];
  private readonly outgoingFlows = new Map<BpmnElement, BpmnElement[]>();
  private readonly incomingFlows = new Map<BpmnElement, BpmnElement[]>();
  private readonly attached = new Map<BpmnElement, BpmnElement[]>();

  constructor(process: BpmnElement) {
    this.index(process, true);
    if (this.problems.length === 0) this.findLoops(process);
  }

  outgoing(node: BpmnElement): BpmnElement[] {
    return this.outgoingFlows.get(node) ?? [];
  }

  incoming(node: BpmnElement): BpmnElement[] {
    return this.incomingFlows.get(node) ?? [];
  }

  boundaries(host: BpmnElement): BpmnElement[] {
    return this.attached.get(host) ?? [];
  }

  private index(container: BpmnElement, topLevel: boolean): void {
    for (const element of container.flowElements ?? []) {
      if (element.$type === 'bpmn:SequenceFlow') this.indexFlow(element, container);
      else if (!DATA.has(element.$type)) this.check(element, topLevel);
      if (element.$type === 'bpmn:BoundaryEvent' && element.attachedToRef) add(this.attached, element.attachedToRef, element);
      if (element.flowElements) this.index(element, false);
    }
  }

  private indexFlow(flow: BpmnElement, container: BpmnElement): void {
    const { sourceRef: source, targetRef: target } = flow;
    if (!source || !target) {
      this.problems.push(problemAt(flow, 'joins nothing: a sequence flow needs a source and a target'));
      return;
    }
    if (source.$parent !== container || target.$parent !== container) {
      const border = [source.$parent, target.$parent].find((parent) => parent !== container && parent?.$type === 'bpmn:SubProcess') ?? container;
      this.problems.push(
        problemAt(
          flow,
          `crosses the border of the sub-process ${border.id}: a flow stays inside its sub-process, and the steps after it follow the sub-process`,
        ),
      );
      return;
    }
    add(this.outgoingFlows, source, flow);
    add(this.incomingFlows, target, flow);
  }

  private check(element: BpmnElement, topLevel: boolean): void {
    const refusal = REFUSED_ELEMENTS[element.$type] ?? this.eventRefusal(element, topLevel) ?? activityRefusal(element);
    if (refusal) this.problems.push(problemAt(element, refusal));
    for (const association of [...(element.dataInputAssociations ?? []), ...(element.dataOutputAssociations ?? [])]) {
      const sources = (association as { sourceRef?: BpmnElement[] }).sourceRef ?? [];
      const data = association.targetRef && DATA.has(association.targetRef.$type) ? association.targetRef : sources[0];
      this.problems.push(
        problemAt(data ?? element, `feeds the step ${element.id}: steps take their data from expressions ($steps, $vars, $), not from data objects`),
      );
    }
  }

  private eventRefusal(element: BpmnElement, topLevel: boolean): string | undefined {
    const allowed = EVENTS[element.$type];
    if (!allowed) return undefined;
    const definitions = element.eventDefinitions ?? [];
    if (definitions.length > 1) return `an event of several triggers has no counterpart in Hookflow: ${allowed.means}`;
    const kind = definitions.length ? (EVENT_KINDS[definitions[0].$type] ?? definitions[0].$type) : '';
    if (element.$type === 'bpmn:StartEvent' && !topLevel && kind !== '') return 'a sub-process starts with a plain start event';
    if (element.$type === 'bpmn:BoundaryEvent' && kind === 'error' && element.cancelActivity === false) {
      return "a non-interrupting error event: a step's onError steps run instead of what follows the step, so its boundary event interrupts";
    }
    if (allowed.kinds.includes(kind)) return undefined;
    return `${kind ? `a ${kind}` : 'a plain'} ${element.$type
      .slice('bpmn:'.length)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()} has no counterpart in Hookflow: ${HINTS[kind] ?? allowed.means}`;
  }

  /** Paths that come back to where they were: a depth-first search's back edges, boundary events counting as their host's successors. */
  private findLoops(process: BpmnElement): void {
    const state = new Map<BpmnElement, 'open' | 'done'>();
    const visit = (node: BpmnElement): void => {
      state.set(node, 'open');
      for (const next of this.boundaries(node)) if (!state.has(next)) visit(next);
      for (const flow of this.outgoing(node)) {
        const target = flow.targetRef!;
        if (state.get(target) === 'open') {
          this.problems.push(
            problemAt(flow, `leads back to ${target.id}: Hookflow runs no loops of flows; for-each (a sequential multi-instance sub-process) repeats steps`),
          );
        } else if (!state.has(target)) visit(target);
      }
      state.set(node, 'done');
    };
    const containers = [process];
    for (const container of containers) {
      for (const element of container.flowElements ?? []) {
        if (element.flowElements) containers.push(element);
        if (element.$type !== 'bpmn:SequenceFlow' && !state.has(element)) visit(element);
      }
    }
  }
}

function activityRefusal(element: BpmnElement): string | undefined {
  if ((element as { isForCompensation?: boolean }).isForCompensation) return 'Hookflow does not compensate: undo what is needed in onError steps';
  if (element.triggeredByEvent) return 'an event sub-process has no counterpart in Hookflow: a failing step runs its onError steps';
  const loop = element.loopCharacteristics;
  if (!loop) return undefined;
  if (loop.$type === 'bpmn:StandardLoopCharacteristics')
    return 'Hookflow repeats steps only with for-each: a sub-process with a sequential multi-instance marker';
  if (element.$type !== 'bpmn:SubProcess') return 'for-each is a sub-process with a sequential multi-instance marker around the steps it repeats';
  if (!loop.isSequential) return 'for-each runs its items one after the other: make the multi-instance marker sequential';
  return undefined;
}

function add(map: Map<BpmnElement, BpmnElement[]>, key: BpmnElement, value: BpmnElement): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
