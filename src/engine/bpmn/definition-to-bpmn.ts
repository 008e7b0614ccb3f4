import type { ProcessDefinition, ProcessDiagram, StepDefinition, TriggerDefinition } from '../definition-types.js';
import {
  DEFINITIONS_ID,
  DIAGRAM_ID,
  diId,
  flowId,
  helperId,
  PLANE_ID,
  PROCESS_END,
  PROCESS_MESSAGE,
  PROCESS_START,
  processElementId,
  scopeEndId,
  scopeStartId,
} from './element-ids.js';
import { createModdle, jsonText, visibleText, type BpmnElement, type Moddle } from './hookflow-moddle.js';
import { joins, layout, route, SIZES, type Block, type Bounds, type Layout, type Point } from './layout.js';

/** A step (or several) as BPMN: the element a flow into it arrives at, the one a flow out leaves from (none when it ends the process). */
interface Fragment {
  entry: BpmnElement;
  exit: BpmnElement | null;
  block: Block;
}

/** One branch of a split: its role names the flow into it (element-ids.ts flowId). */
interface Branch {
  role: string;
  kind: 'then' | 'else' | 'case' | 'default' | 'branch';
  steps: StepDefinition[] | undefined;
  value?: string;
}

/** Step types whose element (a gateway or an event) cannot carry a boundary event: with onError, they get a sub-process of their own. */
const SCOPED_TYPES = new Set(['condition', 'switch', 'parallel', 'wait', 'wait-for-webhook', 'fail', 'stop']);
const TASK_TYPES: Record<string, string> = { 'wait-for-approval': 'bpmn:UserTask', 'call-process': 'bpmn:CallActivity' };

/**
 * The BPMN 2.0 view of a definition, with its diagram (DI): positions from `definition.diagram`
 * where it has them, the layout's elsewhere. `fromBpmn` reads it back into the same definition.
 */
export async function toBpmn(definition: ProcessDefinition): Promise<string> {
  const moddle = createModdle();
  const { xml } = await moddle.toXML(new BpmnWriter(moddle).definitions(definition), { format: true });
  return xml;
}

class BpmnWriter {
  private readonly elements = new Map<string, BpmnElement>();
  private readonly rootElements: BpmnElement[] = [];

  constructor(private readonly moddle: Moddle) {}

  definitions(definition: ProcessDefinition): BpmnElement {
    const schema = (definition as { $schema?: unknown }).$schema;
    const process = this.create('bpmn:Process', {
      id: processElementId(definition),
      name: visibleText(definition.name, 'attribute'),
      isExecutable: true,
      documentation: this.documentation(definition.description),
      extensionElements: this.extensions(
        this.create('hookflow:Process', {
          version: definition.version,
          activeByDefault: definition.activeByDefault,
          schema: typeof schema === 'string' ? schema : undefined,
          texts: this.exactCopies([
            ['name', definition.name, 'attribute'],
            ['description', definition.description, 'body'],
          ]),
        }),
      ),
      flowElements: [],
    });
    const start = this.startEvent(definition.trigger, process);
    const body = this.closedSequence(process, start, this.list(definition.steps, process, true), PROCESS_END);
    return this.create('bpmn:Definitions', {
      id: DEFINITIONS_ID,
      targetNamespace: 'https://hookflow.dev/processes',
      exporter: 'Hookflow',
      rootElements: [...this.rootElements, process],
      diagrams: [this.diagram(process, layout(body.block), definition.diagram)],
    });
  }

  private startEvent(trigger: TriggerDefinition, process: BpmnElement): Fragment {
    const settings = Object.fromEntries(Object.entries(trigger).filter(([key]) => key !== 'type'));
    let definition: BpmnElement;
    let label: string;
    if (trigger.type === 'schedule') {
      definition = this.create('bpmn:TimerEventDefinition', { timeCycle: this.expression(trigger.cron) });
      label = `Schedule ${trigger.cron}`;
    } else if (trigger.type === 'record') {
      definition = this.create('bpmn:ConditionalEventDefinition', { condition: this.expression(trigger.condition) });
      label = `${trigger.object} ${trigger.on.join(' or ')}`;
    } else {
      definition = this.create('bpmn:MessageEventDefinition', { messageRef: this.rootElement('bpmn:Message', PROCESS_MESSAGE, 'Webhook') });
      label = 'Webhook';
    }
    const event = this.node(process, 'bpmn:StartEvent', PROCESS_START, {
      name: visibleText(label, 'attribute'),
      eventDefinitions: [definition],
      extensionElements: this.extensions(this.create('hookflow:Trigger', { type: trigger.type, settings: jsonText(settings) })),
    });
    return this.shape(event, SIZES.event);
  }

  /** Steps one after the other; null for none. Only the last may end the process, and only where `mayEnd`. */
  private list(steps: StepDefinition[], container: BpmnElement, mayEnd: boolean): Fragment | null {
    if (steps.length === 0) return null;
    return this.chain(
      container,
      steps.map((step, index) => this.step(step, container, mayEnd && index === steps.length - 1)),
    );
  }

  private chain(container: BpmnElement, fragments: Fragment[]): Fragment {
    const flows: string[] = [];
    for (let index = 1; index < fragments.length; index++) {
      // list() lets only the last fragment end the process, so every other one has an exit.
      const from = fragments[index - 1].exit as BpmnElement;
      flows.push(this.connect(container, from, fragments[index].entry, flowId(from.id!)).id!);
    }
    return {
      entry: fragments[0].entry,
      exit: fragments[fragments.length - 1].exit,
      block: { kind: 'sequence', items: fragments.map((fragment) => fragment.block), flows },
    };
  }

  /** A start event, the content, and an end event unless the content ends the process itself. */
  private closedSequence(container: BpmnElement, start: Fragment, content: Fragment | null, endId: string): Fragment {
    const parts = content ? [start, content] : [start];
    if (!content || content.exit) parts.push(this.shape(this.node(container, 'bpmn:EndEvent', endId, {}), SIZES.event));
    return this.chain(container, parts);
  }

  private step(step: StepDefinition, container: BpmnElement, mayEnd: boolean): Fragment {
    if (!step.onError?.length) return this.element(step, container, mayEnd);
    const host = SCOPED_TYPES.has(step.type) ? this.scope(step, container) : this.element(step, container, false);
    return this.guard(step, host, container);
  }

  /** A step's own element: a gateway split and join, a sub-process, an event or a task. */
  private element(step: StepDefinition, container: BpmnElement, mayEnd: boolean): Fragment {
    const attributes = this.stepAttributes(step);
    switch (step.type) {
      case 'condition':
      case 'switch':
      case 'parallel':
        return this.split(step, container, mayEnd);
      case 'for-each': {
        const loop = this.create('bpmn:MultiInstanceLoopCharacteristics', { isSequential: true });
        const subProcess = this.node(container, 'bpmn:SubProcess', step.id, { ...attributes, loopCharacteristics: loop, flowElements: [] });
        const body = this.closedSequence(subProcess, this.startOf(subProcess), this.list(step.steps ?? [], subProcess, true), scopeEndId(subProcess.id!));
        return { entry: subProcess, exit: subProcess, block: { kind: 'container', id: step.id, inner: body.block } };
      }
      case 'wait':
      case 'wait-for-webhook': {
        const event = this.node(container, 'bpmn:IntermediateCatchEvent', step.id, { ...attributes, eventDefinitions: [this.waitDefinition(step)] });
        return this.shape(event, SIZES.event);
      }
      case 'fail':
      case 'stop':
        // Steps after a fail or stop never run, but an end event cannot lead to them: it is a task there.
        if (mayEnd) {
          const event = this.node(container, 'bpmn:EndEvent', step.id, { ...attributes, eventDefinitions: [this.endDefinition(step)] });
          return { ...this.shape(event, SIZES.event), exit: null };
        }
    }
    const process = step.type === 'call-process' && typeof step.input?.process === 'string' ? { calledElement: step.input.process } : {};
    return this.shape(this.node(container, TASK_TYPES[step.type] ?? 'bpmn:ServiceTask', step.id, { ...attributes, ...process }), SIZES.task);
  }

  private split(step: StepDefinition, container: BpmnElement, mayEnd: boolean): Fragment {
    const type = step.type === 'parallel' ? 'bpmn:ParallelGateway' : 'bpmn:ExclusiveGateway';
    const gateway = this.node(container, type, step.id, this.stepAttributes(step));
    const branches = branchesOf(step);
    // When every branch would end the process, steps after the block could not be reached: none may.
    const branchesMayEnd = mayEnd || !branches.every((branch) => listEnds(branch.steps));
    const made: { join: BpmnElement | null } = { join: null };
    const join = () => (made.join ??= this.node(container, type, helperId.join(step.id), {}));
    const laid = branches.map((branch) => {
      const body = branch.steps ? this.list(branch.steps, container, branchesMayEnd) : null;
      const enter = this.connect(container, gateway, body?.entry ?? join(), flowId(step.id, branch.role), this.branchAttributes(step, branch));
      if (branch.kind === 'else' || branch.kind === 'default') gateway.default = enter;
      const leave = body?.exit ? this.connect(container, body.exit, join(), flowId(body.exit.id!)) : null;
      return { enter: enter.id!, body: body?.block ?? null, leave: leave?.id ?? null };
    });
    return { entry: gateway, exit: made.join, block: { kind: 'split', split: step.id, join: made.join?.id ?? null, branches: laid } };
  }

  private branchAttributes(step: StepDefinition, branch: Branch): object {
    const condition = branch.kind === 'then' && typeof step.input?.if === 'string' ? step.input.if : undefined;
    return {
      name: branch.kind === 'case' ? visibleText(branch.value!, 'attribute') : branch.kind === 'branch' ? undefined : branch.kind,
      conditionExpression: this.expression(condition),
      extensionElements: this.extensions(
        this.create('hookflow:Branch', {
          kind: branch.kind,
          empty: branch.steps?.length === 0 ? true : undefined,
          value: branch.kind === 'case' ? jsonText(branch.value) : undefined,
        }),
      ),
    };
  }

  /** An embedded sub-process around one step, to carry the boundary event its own element cannot. */
  private scope(step: StepDefinition, container: BpmnElement): Fragment {
    const marker = this.create('hookflow:Scope', { step: step.id });
    const subProcess = this.node(container, 'bpmn:SubProcess', helperId.scope(step.id), { extensionElements: this.extensions(marker), flowElements: [] });
    const body = this.closedSequence(subProcess, this.startOf(subProcess), this.element(step, subProcess, true), scopeEndId(subProcess.id!));
    return { entry: subProcess, exit: subProcess, block: { kind: 'container', id: subProcess.id!, inner: body.block } };
  }

  /** onError: an interrupting error boundary event, the onError steps, and a merge back right after the step. */
  private guard(step: StepDefinition, host: Fragment, container: BpmnElement): Fragment {
    const boundary = this.node(container, 'bpmn:BoundaryEvent', helperId.boundary(step.id), {
      attachedToRef: host.entry,
      cancelActivity: true,
      eventDefinitions: [this.create('bpmn:ErrorEventDefinition', {})],
    });
    const handler = this.list(step.onError!, container, true)!;
    const enter = this.connect(container, boundary, handler.entry, flowId(boundary.id!));
    const guarded = { kind: 'guarded', main: host.block, boundary: boundary.id!, enter: enter.id!, handler: handler.block } as const;
    if (!handler.exit) return { entry: host.entry, exit: host.exit, block: { ...guarded, merge: null, normal: null, back: null } };
    const merge = this.node(container, 'bpmn:ExclusiveGateway', helperId.merge(step.id), {});
    const hostExit = host.exit as BpmnElement;
    const normal = this.connect(container, hostExit, merge, flowId(hostExit.id!));
    const back = this.connect(container, handler.exit, merge, flowId(handler.exit.id!));
    return { entry: host.entry, exit: merge, block: { ...guarded, merge: merge.id!, normal: normal.id!, back: back.id! } };
  }

  private waitDefinition(step: StepDefinition): BpmnElement {
    if (step.type === 'wait-for-webhook') {
      return this.create('bpmn:MessageEventDefinition', { messageRef: this.rootElement('bpmn:Message', helperId.message(step.id), labelOf(step)) });
    }
    const { duration, until } = step.input ?? {};
    if (typeof duration === 'string') return this.create('bpmn:TimerEventDefinition', { timeDuration: this.expression(duration) });
    return this.create('bpmn:TimerEventDefinition', { timeDate: this.expression(typeof until === 'string' ? until : undefined) });
  }

  private endDefinition(step: StepDefinition): BpmnElement {
    if (step.type === 'stop') return this.create('bpmn:TerminateEventDefinition', {});
    const message = typeof step.input?.message === 'string' ? step.input.message : labelOf(step);
    const error = this.rootElement('bpmn:Error', helperId.failure(step.id), message);
    return this.create('bpmn:ErrorEventDefinition', { errorRef: error });
  }

  /** What every step's element has: its label, its description, and the step itself in the Hookflow extension. */
  private stepAttributes(step: StepDefinition): object {
    const retry = step.retry
      ? this.create('hookflow:Retry', { attempts: step.retry.attempts, delay: step.retry.delay, maxDelay: step.retry.maxDelay })
      : undefined;
    const extension = this.create('hookflow:Step', {
      type: step.type,
      input: step.input === undefined ? undefined : this.create('hookflow:Input', { json: jsonText(step.input) }),
      retry,
      texts: this.exactCopies([['description', step.description, 'body']]),
    });
    return {
      name: visibleText(labelOf(step), 'attribute'),
      documentation: this.documentation(step.description),
      extensionElements: this.extensions(extension),
    };
  }

  private diagram(process: BpmnElement, auto: Layout, saved: ProcessDiagram | undefined): BpmnElement {
    const shapes: Record<string, Bounds> = {};
    const laidOut = new Set<string>();
    const planeElement: BpmnElement[] = [];
    for (const [id, bounds] of Object.entries(auto.shapes)) {
      const kept = own(saved?.shapes, id);
      shapes[id] = kept ?? bounds;
      if (!kept) laidOut.add(id);
      const element = this.elements.get(id)!;
      planeElement.push(
        this.create('bpmndi:BPMNShape', {
          id: diId(id),
          bpmnElement: element,
          bounds: this.create('dc:Bounds', { x: shapes[id].x, y: shapes[id].y, width: shapes[id].width, height: shapes[id].height }),
          isMarkerVisible: element.$type === 'bpmn:ExclusiveGateway' ? true : undefined,
          isExpanded: element.$type === 'bpmn:SubProcess' ? true : undefined,
        }),
      );
    }
    for (const [id, points] of Object.entries(auto.edges)) {
      const flow = this.elements.get(id)!;
      const [source, target] = [flow.sourceRef!.id!, flow.targetRef!.id!];
      const kept = own(saved?.edges, id);
      let waypoints: Point[] = points;
      // A saved edge whose ends moved away (a step was put in between) is drawn anew, as one between moved shapes is.
      if (kept && joins(kept, shapes[source], shapes[target])) waypoints = kept;
      else if (!laidOut.has(source) || !laidOut.has(target)) waypoints = route(shapes[source], shapes[target], flow.sourceRef!.$type === 'bpmn:BoundaryEvent');
      const waypoint = waypoints.map(([x, y]) => this.create('dc:Point', { x, y }));
      planeElement.push(this.create('bpmndi:BPMNEdge', { id: diId(id), bpmnElement: flow, waypoint }));
    }
    const plane = this.create('bpmndi:BPMNPlane', { id: PLANE_ID, bpmnElement: process, planeElement });
    return this.create('bpmndi:BPMNDiagram', { id: DIAGRAM_ID, plane });
  }

  private startOf(subProcess: BpmnElement): Fragment {
    return this.shape(this.node(subProcess, 'bpmn:StartEvent', scopeStartId(subProcess.id!), {}), SIZES.event);
  }

  private shape(element: BpmnElement, size: { width: number; height: number }): Fragment {
    return { entry: element, exit: element, block: { kind: 'shape', id: element.id!, ...size } };
  }

  private node(container: BpmnElement, type: string, id: string, attributes: object): BpmnElement {
    const element = this.create(type, { id, ...attributes });
    container.flowElements!.push(element);
    this.elements.set(id, element);
    return element;
  }

  private connect(container: BpmnElement, source: BpmnElement, target: BpmnElement, id: string, attributes: object = {}): BpmnElement {
    const flow = this.node(container, 'bpmn:SequenceFlow', id, { sourceRef: source, targetRef: target, ...attributes });
    (source.outgoing ??= []).push(flow);
    (target.incoming ??= []).push(flow);
    return flow;
  }

  private rootElement(type: string, id: string, name: string): BpmnElement {
    const element = this.create(type, { id, name: visibleText(name, 'attribute') });
    this.rootElements.push(element);
    return element;
  }

  private expression(text: string | undefined): BpmnElement | undefined {
    return text === undefined ? undefined : this.create('bpmn:FormalExpression', { body: visibleText(text, 'body') });
  }

  private documentation(text: string | undefined): BpmnElement[] {
    const visible = text === undefined ? '' : visibleText(text, 'body');
    return visible === '' ? [] : [this.create('bpmn:Documentation', { text: visible })];
  }

  private extensions(...values: BpmnElement[]): BpmnElement {
    return this.create('bpmn:ExtensionElements', { values });
  }

  /** hookflow:text copies of the texts that XML would not give back as they are (a body of nothing is not written at all). */
  private exactCopies(fields: Array<[string, string | undefined, 'attribute' | 'body']>): BpmnElement[] {
    return fields
      .filter(([, text, where]) => text !== undefined && (visibleText(text, where) !== text || (where === 'body' && text === '')))
      .map(([field, text]) => this.create('hookflow:Text', { field, json: jsonText(text) }));
  }

  /** moddle writes a property that is present even when undefined; leave those out. */
  private create(type: string, attributes: object): BpmnElement {
    return this.moddle.create(type, Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined)));
  }
}

function branchesOf(step: StepDefinition): Branch[] {
  switch (step.type) {
    case 'condition':
      return [
        { role: 'then', kind: 'then', steps: step.then },
        { role: 'else', kind: 'else', steps: step.else },
      ];
    case 'switch':
      return [
        ...Object.entries(step.cases ?? {}).map(([value, steps], index): Branch => ({ role: `case-${index}`, kind: 'case', steps, value })),
        { role: 'default', kind: 'default', steps: step.default },
      ];
    default:
      return (step.branches ?? []).map((steps, index): Branch => ({ role: `branch-${index}`, kind: 'branch', steps }));
  }
}

/** Whether a list's last step ends the process on every path, so that nothing follows it. */
function listEnds(steps: StepDefinition[] | undefined): boolean {
  const last = steps?.[steps.length - 1];
  if (!last || last.onError?.length) return false;
  if (last.type === 'fail' || last.type === 'stop') return true;
  if (!['condition', 'switch', 'parallel'].includes(last.type)) return false;
  const branches = branchesOf(last);
  return branches.length > 0 && branches.every((branch) => listEnds(branch.steps));
}

function labelOf(step: StepDefinition): string {
  return step.description ?? step.id;
}

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
