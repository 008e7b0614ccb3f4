import type { ProcessDefinition, StepDefinition } from '../definition-types.js';

/*
 * The ids of the BPMN view of a definition. A step's main element has the step's id, so problems
 * and run traces point at it. Every other element's id has a "-", which no step id has, and a
 * capital letter or a step id before it, which no process id has: no helper id can be taken by a
 * step, and the process element is prefixed when its id would be taken (processElementId). The
 * ids are derived from the definition alone, so an export is the same every time and a diagram
 * saved with a definition finds its elements again.
 */

export const PROCESS_START = 'Start-process';
export const PROCESS_END = 'End-process';
export const PROCESS_MESSAGE = 'Message-process';
export const DEFINITIONS_ID = 'Definitions-process';
export const DIAGRAM_ID = 'Diagram-process';
export const PLANE_ID = 'Plane-process';

/** Elements that belong to a step without being it: its join, its onError parts, its message or error. */
export const helperId = {
  join: (stepId: string) => `${stepId}-join`,
  merge: (stepId: string) => `${stepId}-merge`,
  boundary: (stepId: string) => `${stepId}-error`,
  scope: (stepId: string) => `${stepId}-scope`,
  message: (stepId: string) => `${stepId}-message`,
  failure: (stepId: string) => `${stepId}-failure`,
};

/** The start and end events inside a sub-process (a for-each's or an onError scope's). */
export const scopeStartId = (subProcessId: string) => `${subProcessId}-start`;
export const scopeEndId = (subProcessId: string) => `${subProcessId}-end`;

/**
 * A sequence flow, named by where it comes from: every element but a split has one outgoing flow;
 * the flows of a split are told apart by their role ("then", "else", "default", "case-2", "branch-0").
 */
export function flowId(sourceId: string, role?: string): string {
  return role === undefined ? `Flow-${sourceId}` : `Flow-${sourceId}-${role}`;
}

/** The DI shape or edge of an element. */
export function diId(elementId: string): string {
  return `${elementId}-di`;
}

const PROCESS_PREFIX = 'Process_';
const HELPER_SUFFIX = /^(.+)-(join|merge|error|scope|message|failure|start|end|di)$/;

/**
 * The id of the bpmn:process: the definition's id, prefixed with "Process_" (never part of a
 * definition id, so the prefix comes off again) when that is no XML name (a digit first) or is
 * the id of an element of the process ("lead" for a step "lead").
 */
export function processElementId(definition: Pick<ProcessDefinition, 'id' | 'steps'>): string {
  const stepIds = new Set<string>();
  forEachStep(definition.steps, (step) => stepIds.add(step.id));
  let taken = stepIds.has(definition.id);
  for (let id = definition.id, match = HELPER_SUFFIX.exec(id); match && !taken; id = match[1], match = HELPER_SUFFIX.exec(id)) {
    taken = stepIds.has(match[1]);
  }
  return /^[0-9]/.test(definition.id) || taken ? `${PROCESS_PREFIX}${definition.id}` : definition.id;
}

/** The definition id of a bpmn:process id (processElementId's inverse; a designer's "Process_1" gives "1"). */
export function definitionIdOf(processId: string): string {
  return processId.startsWith(PROCESS_PREFIX) ? processId.slice(PROCESS_PREFIX.length) : processId;
}

/** Calls `visit` for every step, nested ones included, parents before their nested steps. */
export function forEachStep(steps: StepDefinition[], visit: (step: StepDefinition) => void): void {
  for (const step of steps) {
    visit(step);
    for (const list of nestedLists(step)) forEachStep(list, visit);
  }
}

function nestedLists(step: StepDefinition): StepDefinition[][] {
  return [step.then, step.else, step.steps, ...Object.values(step.cases ?? {}), step.default, ...(step.branches ?? []), step.onError].filter(
    (list): list is StepDefinition[] => Array.isArray(list),
  );
}

/**
 * The element a problem of a definition belongs to, from its JSON pointer: the innermost step the
 * path goes through (`/steps/2/then/0/input/values` → that step's element), the start event for
 * `/trigger…`, the process for anything else. The console marks server validation problems with it.
 */
export function elementIdOfPath(definition: ProcessDefinition, pointer: string): string {
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens[0] === 'trigger') return PROCESS_START;
  let found: string | undefined;
  let list: unknown = tokens[0] === 'steps' ? definition.steps : undefined;
  for (let at = 1; Array.isArray(list) && at < tokens.length;) {
    const step = (list as StepDefinition[])[Number(tokens[at])] as StepDefinition | undefined;
    if (!/^(0|[1-9][0-9]*)$/.test(tokens[at]) || !step) break;
    found = step.id;
    const property = tokens[at + 1];
    if (property === 'cases' || property === 'branches') {
      const lists = property === 'cases' ? step.cases : step.branches;
      list = lists && Object.hasOwn(lists, tokens[at + 2] ?? '') ? (lists as Record<string, unknown>)[tokens[at + 2]] : undefined;
      at += 3;
    } else {
      list = ['then', 'else', 'steps', 'default', 'onError'].includes(property) ? step[property as keyof StepDefinition] : undefined;
      at += 2;
    }
  }
  return found ?? processElementId(definition);
}
