import { AppError, ErrorCode } from '../common/app-error.js';
import type { CompiledStep } from './compiled-process.js';
import { MAX_TASK_COMMENT } from './approval-task.entity.js';
import { dueOutput, type ApprovalOutput, type Wait } from './instance-state.js';

/**
 * How a dry run goes on past a wait step, chosen by the person trying the definition: the wait's
 * time passes (`"timeout"`: a timer is over, a wait for a webhook or a decision times out), a
 * webhook with this payload resumes it, or someone decides.
 */
export type WaitChoice = 'timeout' | { payload: Record<string, unknown> } | { decision: 'approved' | 'rejected'; comment?: string };

/** Choices by step id (every iteration of a loop) or by step path ("lines[2].approve": that one only). */
export type WaitChoices = Record<string, WaitChoice>;

/** A wait a dry run stopped at, for people: "would wait 2 days, until …". */
export interface DryRunWait {
  step: string;
  kind: Wait['kind'];
  says: string;
}

const WAIT_TYPES: Record<string, Array<'timeout' | 'payload' | 'decision'>> = {
  wait: ['timeout'],
  'wait-for-webhook': ['timeout', 'payload'],
  'wait-for-approval': ['timeout', 'decision'],
};

/** Checks choices against the definition's wait steps; 400 INVALID_ARGUMENT naming the step and what it takes. */
export function checkWaitChoices(choices: unknown, steps: CompiledStep[]): WaitChoices {
  if (choices === undefined || choices === null) return {};
  if (typeof choices !== 'object' || Array.isArray(choices)) throw invalid('"waits" must be an object of choices by step id');
  const types = stepTypes(steps);
  for (const [key, choice] of Object.entries(choices)) {
    const id = key.slice(key.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
    const type = types.get(id);
    const takes = type ? WAIT_TYPES[type] : undefined;
    if (!takes) throw invalid(`waits.${key}: the definition has no wait step "${id}" (wait, wait-for-webhook or wait-for-approval)`);
    const kind = choiceKind(choice);
    if (!kind || !takes.includes(kind)) {
      throw invalid(`waits.${key}: a ${type} step takes ${takes.map((k) => CHOICE_SHAPES[k]).join(' or ')}, not ${JSON.stringify(choice)}`);
    }
  }
  return choices as WaitChoices;
}

/** The output the chosen choice gives a wait, or undefined when nothing was chosen for it (the dry run stops there). */
export function chosenOutput(wait: Wait, choices: WaitChoices): unknown {
  const choice = choices[wait.step] ?? choices[wait.stepId];
  if (choice === undefined || wait.kind === 'retry' || wait.kind === 'process') return undefined;
  if (choice === 'timeout') return dueOutput(wait);
  if ('payload' in choice) return { timedOut: false, webhookId: 'dry-run', payload: choice.payload };
  const decided: ApprovalOutput = { timedOut: false, decision: choice.decision, by: 'dry-run', at: new Date().toISOString(), comment: choice.comment ?? null };
  return decided;
}

/** "would wait 2 days, until 2026-12-05T10:00:00.000Z", "would wait for a webhook with key …". */
export function describeWait(wait: Wait, now = Date.now()): string {
  switch (wait.kind) {
    case 'timer':
      return `would wait ${span(Date.parse(wait.until) - now)}, until ${wait.until}`;
    case 'webhook':
      return `would wait for a webhook with key ${JSON.stringify(wait.key)}${wait.timeoutAt ? ` for ${span(Date.parse(wait.timeoutAt) - now)} (timeout at ${wait.timeoutAt})` : ''}`;
    case 'approval':
      return `would wait for a decision on the task ${JSON.stringify(wait.title)} for ${span(Date.parse(wait.timeoutAt) - now)} (timeout at ${wait.timeoutAt})`;
    case 'retry':
      return `would run again at ${wait.until} (attempt ${wait.attempt})`;
    case 'process':
      return `would wait for the instance of "${wait.processId}" it calls`;
  }
}

const CHOICE_SHAPES = { timeout: '"timeout"', payload: '{ "payload": { … } }', decision: '{ "decision": "approved" | "rejected", "comment"? }' };

function choiceKind(choice: unknown): 'timeout' | 'payload' | 'decision' | null {
  if (choice === 'timeout') return 'timeout';
  if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) return null;
  const keys = Object.keys(choice);
  const value = choice as Record<string, unknown>;
  if (keys.length === 1 && typeof value.payload === 'object' && value.payload !== null && !Array.isArray(value.payload)) return 'payload';
  const decided = value.decision === 'approved' || value.decision === 'rejected';
  const comment = value.comment === undefined || (typeof value.comment === 'string' && value.comment.length <= MAX_TASK_COMMENT);
  if (decided && comment && keys.every((key) => key === 'decision' || key === 'comment')) return 'decision';
  return null;
}

function stepTypes(steps: CompiledStep[], into = new Map<string, string>()): Map<string, string> {
  for (const step of steps) {
    into.set(step.definition.id, step.definition.type);
    for (const nested of Object.values(step.branches)) stepTypes(nested, into);
  }
  return into;
}

/** A time span for people: "10 minutes", "2 days", "1 hour". */
function span(ms: number): string {
  const units: Array<[string, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  // The largest unit the span is a whole number of (within 1%: the wait was computed a moment ago).
  for (const [unit, size] of units) {
    const count = Math.round(ms / size);
    if (count >= 1 && (Math.abs(ms - count * size) <= ms / 100 || unit === 'second')) return `${count} ${unit}${count === 1 ? '' : 's'}`;
  }
  return 'no time';
}

function invalid(message: string): AppError {
  return new AppError(ErrorCode.InvalidArgument, message);
}
