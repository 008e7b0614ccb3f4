import { AppError, ErrorCode } from '../../common/app-error.js';
import type { ProcessDefinition, ProcessDiagram, StepDefinition, TriggerDefinition } from '../definition-types.js';
import { DIAGRAM_LIMITS } from '../diagram-limits.js';
import { FlowGraph, problemAt, type BpmnProblem } from './bpmn-graph.js';
import { definitionIdOf, flowId, helperId, PROCESS_END, PROCESS_START, scopeEndId, scopeStartId } from './element-ids.js';
import { createModdle, exactText, extensionOf, type BpmnElement, type Moddle } from './hookflow-moddle.js';

/** How a sequence of steps ends: at its scope's end event, with a fail or stop, at a join, or not at all (a problem). */
type Exit = { kind: 'end' } | { kind: 'ended' } | { kind: 'join'; gateway: BpmnElement; arrivals: BpmnElement[] } | { kind: 'broken' };

interface Sequence {
  steps: StepDefinition[];
  exit: Exit;
}

/** A step and the flow out of it, or how its sequence ends with it. */
type StepRead = { step: StepDefinition; next: BpmnElement; exit?: undefined } | { step: StepDefinition; next?: undefined; exit: Exit };

/** A branch of a split: the flow into it, its role (element-ids.ts flowId), and where it goes in the step. */
interface BranchFlow {
  flow: BpmnElement;
  role: string;
  property: 'then' | 'else' | 'cases' | 'default' | 'branches';
  path: string;
  value?: string;
}

type Where = 'attribute' | 'body';

const STEP_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const DEFINITION_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
const TASKS = new Set([
  'bpmn:Task',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:ReceiveTask',
  'bpmn:UserTask',
  'bpmn:ManualTask',
  'bpmn:ScriptTask',
  'bpmn:BusinessRuleTask',
  'bpmn:CallActivity',
]);
const IMPLIED_TYPES: Record<string, string> = { 'bpmn:UserTask': 'wait-for-approval', 'bpmn:CallActivity': 'call-process' };
const DRAWN_AS: Record<string, string> = {
  condition: 'an exclusive gateway',
  switch: 'an exclusive gateway',
  parallel: 'a parallel gateway',
  'for-each': 'a sub-process with a sequential multi-instance marker',
};
const TRIGGER_TYPES: Record<string, TriggerDefinition['type']> = {
  'bpmn:MessageEventDefinition': 'webhook',
  'bpmn:TimerEventDefinition': 'schedule',
  'bpmn:ConditionalEventDefinition': 'record',
};

/**
 * The process definition a BPMN 2.0 diagram draws: `toBpmn`'s output, or a diagram drawn in a
 * designer such as bpmn-js (step ids are the element ids). Refuses, with every problem naming its
 * element, XML that does not parse and whatever the engine cannot run. The definition is not
 * compiled here: saving it does that, and `elementIdOfPath` maps its problems back to elements.
 */
export async function fromBpmn(xml: string): Promise<{ definition: ProcessDefinition }> {
  const reader = new DefinitionReader();
  const definition = reader.read(await parse(xml));
  if (!definition || reader.problems.length > 0) throw bpmnError(reader.problems);
  return { definition };
}

async function parse(xml: string): Promise<BpmnElement> {
  let parsed: Awaited<ReturnType<Moddle['fromXML']>>;
  try {
    parsed = await createModdle().fromXML(xml);
  } catch (error) {
    const message = (error as Error).message;
    throw bpmnError([{ ...elementNear(xml, message), path: '/', message: `is not BPMN 2.0 XML: ${message.replace(/\s+/g, ' ')}` }]);
  }
  if (parsed.warnings.length > 0) throw bpmnError(parsed.warnings.map((warning) => problemAt(warning.element, warning.message.replace(/\s+/g, ' '))));
  return parsed.rootElement;
}

/** The innermost element with an id that is open where moddle's parser gave up ("line: 3 column: 12"). */
function elementNear(xml: string, message: string): { elementId: string; elementName: string } {
  const place = /line: (\d+)\s+column: (\d+)/.exec(message);
  const offset = place
    ? xml
        .split('\n')
        .slice(0, Number(place[1]))
        .reduce((sum, line) => sum + line.length + 1, 0) + Number(place[2])
    : 0;
  const open: Array<{ name: string; tag: string }> = [];
  for (const [tag, closing, name] of xml.slice(0, offset).matchAll(/<(\/?)([A-Za-z][^\s<>/]*)[^<>]*>/g)) {
    if (tag.endsWith('/>')) continue;
    if (!closing) open.push({ name, tag });
    else if (open.at(-1)?.name === name) open.pop();
    // A closing tag that closes nothing open is where the document broke.
    else break;
  }
  const element = open.reverse().find(({ tag }) => /\sid="/.test(tag))?.tag ?? '';
  return { elementId: /\sid="([^"]*)"/.exec(element)?.[1] ?? '', elementName: /\sname="([^"]*)"/.exec(element)?.[1] ?? '' };
}

function bpmnError(problems: BpmnProblem[]): AppError {
  const lines = problems.map(
    (problem) => `${problem.elementId ? `${problem.elementId}${problem.elementName ? ` "${problem.elementName}"` : ''}: ` : ''}${problem.message}`,
  );
  return new AppError(ErrorCode.InvalidDefinition, `Not a process Hookflow can run:\n  ${lines.join('\n  ')}`, {}, { problems });
}

class DefinitionReader {
  readonly problems: BpmnProblem[] = [];
  private graph!: FlowGraph;
  /** Each element's id in the BPMN view toBpmn writes: the diagram is saved under these. */
  private readonly ids = new Map<BpmnElement, string>();
  /** The role of each flow out of a split. */
  private readonly roles = new Map<BpmnElement, string>();
  private readonly visited = new Set<BpmnElement>();

  read(definitions: BpmnElement): ProcessDefinition | undefined {
    const process = this.processOf(definitions);
    if (!process) return undefined;
    this.graph = new FlowGraph(process);
    if (this.graph.problems.length > 0) {
      this.problems.push(...this.graph.problems);
      return undefined;
    }
    const start = this.startOf(process, '/trigger');
    if (!start) return undefined;
    this.ids.set(start, PROCESS_START);
    const trigger = this.trigger(start);
    const steps = this.scopeSteps(process, start, (index) => `/steps/${index}`, PROCESS_END);
    if (!steps || this.problems.length > 0) return undefined;
    return { ...this.processFields(process), trigger, steps, diagram: this.diagram(definitions, process) };
  }

  private processOf(definitions: BpmnElement): BpmnElement | undefined {
    const roots = definitions.rootElements ?? [];
    const pool = roots.find((root) => root.$type === 'bpmn:Collaboration');
    if (pool) return this.refuse(pool, 'pools and message flows have no counterpart in Hookflow: draw the process without a pool') ?? undefined;
    const processes = roots.filter((root) => root.$type === 'bpmn:Process');
    if (processes.length === 1) return processes[0];
    return this.refuse(processes[1] ?? definitions, processes.length ? 'a second process: a diagram draws one process' : 'holds no process') ?? undefined;
  }

  private processFields(process: BpmnElement): Omit<ProcessDefinition, 'trigger' | 'steps'> {
    const extension = extensionOf(process, 'hookflow:Process');
    const id = definitionIdOf(process.id ?? '');
    if (!DEFINITION_ID.test(id))
      this.problem(process, `its id gives no process id: lower-case letters, digits and "-" (after "Process_", if it has that)`, '/id');
    const description = this.description(process, extension, false);
    return {
      ...(extension?.schema === undefined ? {} : { $schema: extension.schema }),
      id,
      name: exactText(process.name, exactCopy(extension, 'name'), 'attribute') ?? id,
      ...(description === undefined ? {} : { description }),
      version: extension?.version ?? 1,
      activeByDefault: extension?.activeByDefault ?? false,
    };
  }

  private trigger(start: BpmnElement): TriggerDefinition {
    const extension = extensionOf(start, 'hookflow:Trigger');
    const parsed = extension?.settings === undefined ? {} : this.json(extension.settings, start, '/trigger');
    const settings = isObject(parsed) ? parsed : {};
    const pick = (...keys: string[]) => Object.fromEntries(keys.filter((key) => settings[key] !== undefined).map((key) => [key, settings[key]]));
    const event = start.eventDefinitions?.[0];
    // The event says what starts the process; a plain start event (a designer's default) keeps the extension's word.
    const type = TRIGGER_TYPES[event?.$type ?? ''] ?? (extension?.type === 'schedule' || extension?.type === 'record' ? extension.type : 'webhook');
    if (type === 'schedule') {
      const cron = shown(event?.timeCycle?.body, text(settings.cron), 'body');
      if (cron === undefined) this.problem(start, 'a timer start event needs its cron expression ("0 2 * * *") as its time cycle', '/trigger/cron');
      return { type, cron: cron ?? '', ...pick('timezone') };
    }
    if (type === 'record') {
      const condition = shown(event?.condition?.body, text(settings.condition), 'body');
      return { type, ...pick('object', 'on'), ...(condition === undefined ? {} : { condition }) } as TriggerDefinition;
    }
    return { type, ...pick('condition', 'apiKeys') };
  }

  /** The steps of a process or sub-process, from its start event to its end event. */
  private scopeSteps(container: BpmnElement, start: BpmnElement, pathOf: (index: number) => string, endId: string): StepDefinition[] | null {
    const first = this.onlyOutgoing(start, pathOf(0));
    const sequence = first ? this.sequence(first, pathOf, 'list', endId) : null;
    if (this.problems.length === 0) this.unreached(container);
    return sequence && sequence.exit.kind !== 'broken' ? sequence.steps : null;
  }

  /** Steps along a path from `first`, until the end event (a list) or the join of its split (a branch). */
  private sequence(first: BpmnElement, pathOf: (index: number) => string, mode: 'list' | 'branch', endId: string): Sequence {
    const steps: StepDefinition[] = [];
    for (let flow = first; ;) {
      const node = flow.targetRef!;
      const at = pathOf(steps.length);
      if (isGateway(node) && this.graph.outgoing(node).length <= 1) {
        if (mode === 'branch') return { steps, exit: { kind: 'join', gateway: node, arrivals: [flow] } };
        return this.broken(steps, node, at, 'joins paths that no gateway before it split');
      }
      if (this.graph.incoming(node).length > 1) {
        return this.broken(
          steps,
          node,
          at,
          isGateway(node) ? 'joins paths and splits them again: draw a gateway for each' : 'paths meet here without a gateway: join them with one first',
        );
      }
      if (node.$type === 'bpmn:EndEvent' && !node.eventDefinitions?.length) {
        this.visited.add(node);
        if (mode === 'branch') {
          return this.broken(
            steps,
            node,
            at,
            'ends the process in the middle of a branch: join the branch with the others, or end it with a terminate end event (a stop step)',
          );
        }
        this.ids.set(node, endId);
        return { steps, exit: { kind: 'end' } };
      }
      const read = this.step(node, at);
      if (!read) return { steps, exit: { kind: 'broken' } };
      steps.push(read.step);
      if (read.exit?.kind === 'join' && mode === 'list') return this.broken(steps, read.exit.gateway, at, 'joins paths that no gateway before it split');
      if (read.exit) return { steps, exit: read.exit };
      flow = read.next;
    }
  }

  private broken(steps: StepDefinition[], element: BpmnElement, at: string, message: string): Sequence {
    this.problem(element, message, at);
    return { steps, exit: { kind: 'broken' } };
  }

  private step(node: BpmnElement, at: string): StepRead | null {
    this.visited.add(node);
    if (node.$type === 'bpmn:SubProcess' && !node.loopCharacteristics) return this.scope(node, at);
    if (!STEP_ID.test(node.id ?? ''))
      return this.refuse(node, 'its id is the step id, which is a letter, then letters, digits or "_" (64 at most): rename it', at);
    this.ids.set(node, node.id!);
    const read = this.element(node, at);
    return read && this.guard(node, read, at);
  }

  private element(node: BpmnElement, at: string): StepRead | null {
    if (isGateway(node)) return this.split(node, at);
    switch (node.$type) {
      case 'bpmn:SubProcess':
        return this.forEach(node, at);
      case 'bpmn:IntermediateCatchEvent':
        return this.wait(node, at);
      case 'bpmn:EndEvent':
        return this.end(node, at);
    }
    if (TASKS.has(node.$type)) return this.task(node, at);
    return this.refuse(node, node.$type === 'bpmn:StartEvent' ? 'a start event has no incoming flow' : 'has no counterpart in Hookflow', at);
  }

  private task(node: BpmnElement, at: string): StepRead | null {
    const extension = extensionOf(node, 'hookflow:Step');
    const type = extension?.type ?? IMPLIED_TYPES[node.$type];
    if (!type) {
      const message =
        'which step is it? Give the task its Hookflow step type (hookflow:step), or make it a user task (wait-for-approval) or a call activity (call-process)';
      return this.refuse(node, message, at);
    }
    if (DRAWN_AS[type]) return this.refuse(node, `a ${type} step is drawn as ${DRAWN_AS[type]}`, at);
    let input = this.input(extension, node, at);
    if (type === 'call-process') input = overlay(input, 'process', node.calledElement, 'attribute');
    if (type === 'wait-for-approval' && input === undefined && node.$type === 'bpmn:UserTask') input = { title: node.name ?? node.id };
    const next = this.onlyOutgoing(node, at);
    return next && { step: this.stepOf(node, type, input, extension), next };
  }

  private split(gateway: BpmnElement, at: string): StepRead | null {
    const extension = extensionOf(gateway, 'hookflow:Step');
    const parallel = gateway.$type === 'bpmn:ParallelGateway';
    const type = parallel ? 'parallel' : (extension?.type ?? (this.graph.outgoing(gateway).length === 2 && gateway.default ? 'condition' : 'switch'));
    if (parallel ? extension?.type !== undefined && type !== extension.type : type !== 'condition' && type !== 'switch') {
      return this.refuse(
        gateway,
        `${parallel ? 'a parallel gateway is a parallel step' : 'an exclusive gateway is a condition or a switch step'}, not ${extension?.type}`,
        at,
      );
    }
    const flows = this.branchFlows(gateway, type, at);
    if (!flows) return null;
    const branches = flows.map((branch) => {
      this.roles.set(branch.flow, branch.role);
      return { ...branch, sequence: this.sequence(branch.flow, (index) => `${branch.path}/${index}`, 'branch', '') };
    });
    if (branches.some((branch) => branch.sequence.exit.kind === 'broken')) return null;
    const next = this.join(
      gateway,
      branches.map((branch) => branch.sequence.exit),
      at,
    );
    if (next === undefined) return null;
    let input = this.input(extension, gateway, at);
    if (type === 'condition') input = overlay(input, 'if', branches[0].flow.conditionExpression?.body, 'body');
    const step = this.stepOf(gateway, type, input, extension, nestedSteps(branches));
    return next ? { step, next } : { step, exit: { kind: 'ended' } };
  }

  /** The flows out of a split, in the order of the step's branches. */
  private branchFlows(gateway: BpmnElement, type: string, at: string): BranchFlow[] | null {
    const flows = this.graph.outgoing(gateway);
    if (type === 'parallel') return flows.map((flow, index) => ({ flow, role: `branch-${index}`, property: 'branches', path: `${at}/branches/${index}` }));
    const otherwise = type === 'condition' ? 'else' : 'default';
    const fallback = flows.find((flow) => flow === gateway.default) ?? flows.find((flow) => extensionOf(flow, 'hookflow:Branch')?.kind === otherwise);
    if (type === 'condition') {
      if (flows.length !== 2 || !fallback) {
        return this.refuse(
          gateway,
          'a condition has two outgoing flows: "then", with the condition, and "else", the default flow (for more, it is a switch)',
          at,
        );
      }
      const then = flows.find((flow) => flow !== fallback)!;
      return [
        { flow: then, role: 'then', property: 'then', path: `${at}/then` },
        { flow: fallback, role: 'else', property: 'else', path: `${at}/else` },
      ];
    }
    if (!fallback)
      return this.refuse(gateway, 'a switch needs a default flow: where it goes when no case matches (straight to its join when nothing happens then)', at);
    const cases: BranchFlow[] = [];
    for (const [index, flow] of flows.filter((other) => other !== fallback).entries()) {
      const copy = extensionOf(flow, 'hookflow:Branch')?.value;
      const value = shown(flow.name, copy === undefined ? undefined : text(this.json(copy, flow, at)), 'attribute');
      if (value === undefined) return this.refuse(flow, 'which case is this flow for? Name it with the value of its case', at);
      if (cases.some((other) => other.value === value)) return this.refuse(flow, `a second flow for the case "${value}"`, at);
      cases.push({ flow, role: `case-${index}`, property: 'cases', path: `${at}/cases/${value.replace(/~/g, '~0').replace(/\//g, '~1')}`, value });
    }
    return [...cases, { flow: fallback, role: 'default', property: 'default', path: `${at}/default` }];
  }

  /** The flow out of the join where a split's branches meet; null when every branch ends the process, undefined after a problem. */
  private join(split: BpmnElement, exits: Exit[], at: string): BpmnElement | null | undefined {
    const reaching = exits.filter((exit) => exit.kind === 'join');
    if (reaching.length === 0) return null;
    const joins = [...new Set(reaching.map((exit) => exit.gateway))];
    if (joins.length > 1)
      return this.refuse(split, `its branches meet at different gateways (${joins.map((join) => join.id).join(', ')}): join them at one`, at) ?? undefined;
    const [join] = joins;
    if (join.$type !== split.$type) {
      return (
        this.refuse(join, `joins the branches of ${split.id}: a parallel split needs a parallel join, an exclusive split an exclusive one`, at) ?? undefined
      );
    }
    if (this.graph.incoming(join).length !== reaching.flatMap((exit) => exit.arrivals).length) {
      return this.refuse(join, `joins the branches of ${split.id} and paths from outside them: a path leaves a block only through its join`, at) ?? undefined;
    }
    this.visited.add(join);
    this.ids.set(join, helperId.join(split.id!));
    return this.onlyOutgoing(join, at) ?? undefined;
  }

  private forEach(subProcess: BpmnElement, at: string): StepRead | null {
    const extension = extensionOf(subProcess, 'hookflow:Step');
    if (extension?.type !== undefined && extension.type !== 'for-each') {
      return this.refuse(subProcess, `a sub-process with a multi-instance marker is a for-each step, not ${extension.type}`, at);
    }
    const start = this.startOf(subProcess, at);
    if (!start) return null;
    this.ids.set(start, scopeStartId(subProcess.id!));
    const steps = this.scopeSteps(subProcess, start, (index) => `${at}/steps/${index}`, scopeEndId(subProcess.id!));
    const next = steps && this.onlyOutgoing(subProcess, at);
    return next && { step: this.stepOf(subProcess, 'for-each', this.input(extension, subProcess, at), extension, { steps: steps! }), next };
  }

  /** An embedded sub-process without a loop: the frame of one step, for the error boundary event (onError) its element cannot have. */
  private scope(subProcess: BpmnElement, at: string): StepRead | null {
    const start = this.startOf(subProcess, at);
    if (!start) return null;
    const scopeId = helperId.scope(this.graph.outgoing(start)[0]?.targetRef?.id ?? subProcess.id!);
    this.ids.set(subProcess, scopeId);
    this.ids.set(start, scopeStartId(scopeId));
    const steps = this.scopeSteps(subProcess, start, () => at, scopeEndId(scopeId));
    if (!steps) return null;
    if (steps.length !== 1) {
      return this.refuse(
        subProcess,
        `an embedded sub-process without a loop marker frames one step, for its error boundary event (onError); this one holds ${steps.length}`,
        at,
      );
    }
    const next = this.onlyOutgoing(subProcess, at);
    return next && this.guard(subProcess, { step: steps[0], next }, at);
  }

  private wait(event: BpmnElement, at: string): StepRead | null {
    const extension = extensionOf(event, 'hookflow:Step');
    const definition = event.eventDefinitions![0];
    const type = definition.$type === 'bpmn:TimerEventDefinition' ? 'wait' : 'wait-for-webhook';
    if (extension?.type !== undefined && extension.type !== type)
      return this.refuse(event, `a ${type === 'wait' ? 'timer' : 'message'} event is a ${type} step, not ${extension.type}`, at);
    let input = this.input(extension, event, at);
    if (definition.timeDuration?.body !== undefined) input = without(overlay(input, 'duration', definition.timeDuration.body, 'body'), 'until');
    else if (definition.timeDate?.body !== undefined) input = without(overlay(input, 'until', definition.timeDate.body, 'body'), 'duration');
    const next = this.onlyOutgoing(event, at);
    return next && { step: this.stepOf(event, type, input, extension), next };
  }

  /** An error end event is a fail step, a terminate end event a stop step. */
  private end(event: BpmnElement, at: string): StepRead | null {
    const extension = extensionOf(event, 'hookflow:Step');
    const definition = event.eventDefinitions![0];
    const type = definition.$type === 'bpmn:ErrorEventDefinition' ? 'fail' : 'stop';
    if (extension?.type !== undefined && extension.type !== type)
      return this.refuse(event, `an ${type === 'fail' ? 'error' : 'terminate'} end event is a ${type} step, not ${extension.type}`, at);
    if (this.graph.outgoing(event).length > 0) return this.refuse(event, 'an end event has no outgoing flow', at);
    let input = this.input(extension, event, at);
    if (type === 'fail' && input === undefined) input = { message: definition.errorRef?.name ?? event.name ?? event.id };
    return { step: this.stepOf(event, type, input, extension), exit: { kind: 'ended' } };
  }

  /** onError: the error boundary event on the step's element, the steps after it, and the merge back right after the step. */
  private guard(host: BpmnElement, read: StepRead, at: string): StepRead | null {
    const boundaries = this.graph.boundaries(host);
    if (boundaries.length === 0) return read;
    boundaries.forEach((boundary) => this.visited.add(boundary));
    const [boundary] = boundaries;
    if (boundaries.length > 1 || !read.next || read.step.onError) {
      return this.refuse(boundaries[boundaries.length - 1], 'a step has one error boundary event: where its onError steps start', at);
    }
    const { step: main, next } = read;
    this.ids.set(boundary, helperId.boundary(main.id));
    const first = this.onlyOutgoing(boundary, at);
    const handler = first && this.sequence(first, (index) => `${at}/onError/${index}`, 'branch', '');
    if (!handler || handler.exit.kind === 'broken') return null;
    const { retry, ...rest } = main;
    const step = { ...rest, onError: handler.steps, ...(retry ? { retry } : {}) };
    if (handler.exit.kind !== 'join') return { step, next };
    const merge = handler.exit.gateway;
    if (next.targetRef !== merge) return this.refuse(boundary, `its path leads to ${merge.id}: the onError steps of ${main.id} go back to right after it`, at);
    const arrivals = [next, ...handler.exit.arrivals];
    // Drawn into the join of the block the step is in: that join merges the path back too.
    if (this.graph.incoming(merge).length !== arrivals.length) return { step, exit: { kind: 'join', gateway: merge, arrivals } };
    if (merge.$type !== 'bpmn:ExclusiveGateway') {
      return this.refuse(merge, `merges the onError steps of ${main.id} back, which an exclusive gateway does (a parallel one would wait for both paths)`, at);
    }
    this.visited.add(merge);
    this.ids.set(merge, helperId.merge(main.id));
    const after = this.onlyOutgoing(merge, at);
    return after && { step, next: after };
  }

  private stepOf(node: BpmnElement, type: string, input: unknown, extension: BpmnElement | undefined, nested: Partial<StepDefinition> = {}): StepDefinition {
    const description = this.description(node, extension, true);
    const retry = extension?.retry && Object.fromEntries(['attempts', 'delay', 'maxDelay'].flatMap((key) => retryValue(extension.retry!, key)));
    return {
      id: node.id!,
      type,
      ...(description === undefined ? {} : { description }),
      ...(input === undefined ? {} : { input: input as Record<string, unknown> }),
      ...nested,
      ...(retry ? { retry: retry as StepDefinition['retry'] } : {}),
    };
  }

  /** The documentation (or its exact copy), else a designer's label that is more than the id. */
  private description(node: BpmnElement, extension: BpmnElement | undefined, orLabel: boolean): string | undefined {
    const description = exactText(node.documentation?.[0]?.text, exactCopy(extension, 'description'), 'body');
    if (description !== undefined) return description;
    return orLabel && node.name && node.name !== node.id ? node.name : undefined;
  }

  private input(extension: BpmnElement | undefined, node: BpmnElement, at: string): unknown {
    const json = extension?.input?.json;
    return json === undefined ? undefined : this.json(json, node, `${at}/input`);
  }

  private json(json: string, element: BpmnElement, path: string): unknown {
    try {
      return JSON.parse(json);
    } catch (error) {
      this.problem(element, `its Hookflow extension holds no JSON: ${(error as Error).message}`, path);
      return undefined;
    }
  }

  private startOf(container: BpmnElement, path: string): BpmnElement | undefined {
    const starts = (container.flowElements ?? []).filter((element) => element.$type === 'bpmn:StartEvent');
    if (starts.length === 0) return this.refuse(container, 'has no start event', path) ?? undefined;
    starts.slice(1).forEach((start) => this.problem(start, 'a second start event: a process, and each sub-process, starts at one', path));
    starts.forEach((start) => this.visited.add(start));
    return starts.length === 1 ? starts[0] : undefined;
  }

  private onlyOutgoing(node: BpmnElement, at: string): BpmnElement | null {
    const flows = this.graph.outgoing(node);
    if (flows.length === 1) return flows[0];
    return this.refuse(
      node,
      flows.length === 0 ? 'has no outgoing flow: connect it to what comes next' : 'has several outgoing flows: put a gateway after it to split the path',
      at,
    );
  }

  private unreached(container: BpmnElement): void {
    for (const element of container.flowElements ?? []) {
      const node = element.$type !== 'bpmn:SequenceFlow' && !/^bpmn:Data(Object|ObjectReference|StoreReference)$/.test(element.$type);
      if (node && !this.visited.has(element)) this.problem(element, 'cannot be reached from the start event');
    }
  }

  /** Every DI shape and edge of the process, under the ids toBpmn gives the elements. */
  private diagram(definitions: BpmnElement, process: BpmnElement): ProcessDiagram {
    const shapes: NonNullable<ProcessDiagram['shapes']> = {};
    const edges: NonNullable<ProcessDiagram['edges']> = {};
    // A collapsed sub-process's content is drawn on a plane of its own, in other coordinates: it is laid out anew.
    const plane = definitions.diagrams?.map((diagram) => diagram.plane).find((candidate) => candidate?.bpmnElement === process);
    for (const di of plane?.planeElement ?? []) {
      const element = di.bpmnElement;
      const id = element && (element.$type === 'bpmn:SequenceFlow' ? this.flowIdOf(element) : this.ids.get(element));
      if (!id) continue;
      if (di.$type === 'bpmndi:BPMNShape' && di.bounds && (di as { isExpanded?: boolean }).isExpanded !== false) {
        const { x, y, width, height } = di.bounds;
        if (![x, y, width, height].every(inDrawingArea) || width < 0 || height < 0)
          this.problem(element, `lies outside the drawing area (±${DIAGRAM_LIMITS.coordinate})`, '/diagram');
        shapes[id] = { x, y, width, height };
      } else if (di.$type === 'bpmndi:BPMNEdge' && di.waypoint && di.waypoint.length >= 2) {
        const points = di.waypoint.map(({ x, y }): [number, number] => [x, y]);
        if (!points.flat().every(inDrawingArea) || points.length > DIAGRAM_LIMITS.waypoints) {
          this.problem(element, `has more than ${DIAGRAM_LIMITS.waypoints} waypoints or lies outside the drawing area`, '/diagram');
        }
        edges[id] = points;
      }
    }
    if (Math.max(Object.keys(shapes).length, Object.keys(edges).length) > DIAGRAM_LIMITS.elements) {
      this.problem(process, `draws more than ${DIAGRAM_LIMITS.elements} shapes or flows`, '/diagram');
    }
    return { shapes, edges };
  }

  private flowIdOf(flow: BpmnElement): string | undefined {
    const source = flow.sourceRef && this.ids.get(flow.sourceRef);
    return source && flowId(source, this.roles.get(flow));
  }

  private problem(element: BpmnElement | undefined, message: string, path = '/'): void {
    const problem = problemAt(element, message, path);
    if (!this.problems.some((other) => other.elementId === problem.elementId && other.message === problem.message)) this.problems.push(problem);
  }

  /** Records the problem; null, for the caller to return. */
  private refuse(element: BpmnElement | undefined, message: string, path = '/'): null {
    this.problem(element, message, path);
    return null;
  }
}

/** A split's branches as the step's properties; an empty branch is an empty list only where its flow says so, absent otherwise. */
function nestedSteps(branches: Array<BranchFlow & { sequence: Sequence }>): Partial<StepDefinition> {
  const list = ({ flow, sequence }: BranchFlow & { sequence: Sequence }) =>
    sequence.steps.length > 0 || extensionOf(flow, 'hookflow:Branch')?.empty ? sequence.steps : undefined;
  const nested: Partial<StepDefinition> = {};
  for (const branch of branches) {
    if (branch.property === 'cases') nested.cases = Object.fromEntries([...Object.entries(nested.cases ?? {}), [branch.value!, branch.sequence.steps]]);
    else if (branch.property === 'branches') nested.branches = [...(nested.branches ?? []), branch.sequence.steps];
    else if (list(branch)) nested[branch.property] = list(branch);
  }
  return nested;
}

/** The text BPMN shows (an expression, a label) over the extension's copy: the copy while the text shown is still what was written from it. */
function shown(bpmnText: string | undefined, copy: string | undefined, where: Where): string | undefined {
  return bpmnText === undefined ? copy : exactText(bpmnText, copy, where);
}

/** The input with one of its values taken from what BPMN shows, if it shows it. */
function overlay(input: unknown, key: string, bpmnText: string | undefined, where: Where): unknown {
  if (bpmnText === undefined) return input;
  const object = isObject(input) ? input : {};
  return { ...object, [key]: shown(bpmnText, text(object[key]), where) };
}

function without(input: unknown, key: string): unknown {
  return isObject(input) ? Object.fromEntries(Object.entries(input).filter(([other]) => other !== key)) : input;
}

function exactCopy(extension: BpmnElement | undefined, field: string): string | undefined {
  const json = extension?.texts?.find((copy) => copy.field === field)?.json;
  try {
    return json === undefined ? undefined : text(JSON.parse(json));
  } catch {
    return undefined;
  }
}

function retryValue(retry: BpmnElement, key: string): Array<[string, unknown]> {
  const value = (retry as unknown as Record<string, unknown>)[key];
  return value === undefined ? [] : [[key, value]];
}

function isGateway(node: BpmnElement): boolean {
  return node.$type === 'bpmn:ExclusiveGateway' || node.$type === 'bpmn:ParallelGateway';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function inDrawingArea(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= DIAGRAM_LIMITS.coordinate;
}
