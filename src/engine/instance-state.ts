/** What a process instance keeps between the jobs that run it (ProcessInstance.state and friends). */

/** What started an instance that no webhook started. */
export type InstanceTrigger =
  | { type: 'schedule'; at: string }
  /** Started by a call-process step of another instance; `depth` counts the calls above it (1: called by a top instance). */
  | { type: 'process'; parentId: string; step: string; depth: number }
  /** Started by a record another instance (`writerId`) created or updated; `depth` counts the instances above it. */
  | { type: 'record'; object: string; recordId: string; action: 'created' | 'updated'; writerId: string; depth: number };

/** How many instances above this one started it, by call-process or by a record trigger (0: a webhook or a schedule did). */
export function chainDepth(trigger: InstanceTrigger | null | undefined): number {
  return trigger?.type === 'process' || trigger?.type === 'record' ? trigger.depth : 0;
}

export type InstanceStatus = 'running' | 'waiting' | 'completed' | 'skipped' | 'failed' | 'cancelled';

/** The statuses of instances that have not ended: retention keeps them, and their webhooks. */
/** A timer may fire this much before its instance's wake time (clocks of machines differ a little). */
export const TIMER_EARLY_MS = 50;

export const LIVE_STATUSES: readonly InstanceStatus[] = ['running', 'waiting'];

/**
 * A step that ended, as a later job replays it without running it again: its output and what
 * its result chose (the branch, the items of a for-each…). `error` marks a step whose failure
 * its onError steps handled.
 */
export interface StepMemo {
  output: unknown;
  branch?: string;
  items?: unknown[];
  parallel?: true;
  stop?: true;
  error?: { code: string; message: string };
}

export interface InstanceState {
  /** Prefix of the keys of the records the instance writes (RunProcessJob.writeKey): a resumption writes under the same. */
  writeKey: string;
  vars: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** The steps that ended, by step path (the step id, with loop indexes: "lines[2].lead"). */
  memo: Record<string, StepMemo>;
  /** Attempts made so far of steps with a retry option that failed, by step path. */
  retries?: Record<string, number>;
}

/** What a waiting instance waits for at one step (several, when parallel branches wait). */
export type Wait = TimerWait | WebhookWait | RetryWait | ProcessWait | ApprovalWait;

interface WaitAt {
  /** The step path, as in the trace. */
  step: string;
  stepId: string;
}

export interface TimerWait extends WaitAt {
  kind: 'timer';
  until: string;
}

export interface WebhookWait extends WaitAt {
  kind: 'webhook';
  /** The correlation key a later webhook must give (its webhookKey expression). */
  key: string;
  /** When it stops waiting and goes on with `{ timedOut: true }`; null: never. */
  timeoutAt: string | null;
}

/** A step with a retry option that failed for a reason that may pass: it runs again at `until`. */
export interface RetryWait extends WaitAt {
  kind: 'retry';
  until: string;
  /** The attempt that runs then (2 for the first retry). */
  attempt: number;
  /** What the last attempt failed with. */
  error: string;
}

/** A call-process step with `wait: true`: its instance waits until the called one ends. */
export interface ProcessWait extends WaitAt {
  kind: 'process';
  childId: string;
  processId: string;
}

/** A wait-for-approval step: a user task (ApprovalTask) someone decides on, or that times out. */
export interface ApprovalWait extends WaitAt {
  kind: 'approval';
  title: string;
  details: unknown;
  timeoutAt: string;
}

/** When a wait is due by itself (its timer, its timeout); null when only a webhook ends it. */
export function dueAt(wait: Wait): string | null {
  if (wait.kind === 'process') return null;
  return wait.kind === 'webhook' || wait.kind === 'approval' ? wait.timeoutAt : wait.until;
}

/** A wait-for-approval step's output once someone decided, or once its timeout passed (`timedOut`, no decision). */
export interface ApprovalOutput {
  timedOut: boolean;
  decision: 'approved' | 'rejected' | null;
  by: string | null;
  at: string;
  comment: string | null;
}

/** The output of a wait step whose time came: a timer's `{ until }`, a wait for a webhook or a decision that timed out. */
export function dueOutput(wait: TimerWait | WebhookWait | ApprovalWait): unknown {
  if (wait.kind === 'timer') return { until: wait.until };
  if (wait.kind === 'approval') return { timedOut: true, decision: null, by: null, at: wait.timeoutAt, comment: null } satisfies ApprovalOutput;
  return { timedOut: true };
}

/** What made a waiting or failed instance run again, set by the claim that did. */
export interface Resumption {
  by: 'timer' | 'webhook' | 'retry' | 'process' | 'approval';
  at: string;
  /** Outputs of wait steps, by step path, that the claim settled (a webhook's payload). */
  resolved?: Record<string, unknown>;
  /** Wait steps that fail, by step path (a called process that failed). */
  failed?: Record<string, { code: string; message: string }>;
}

/** What a resumed run starts from. */
export interface ResumePoint {
  state: InstanceState;
  /** Wait steps that go on, by step path, with their outputs. */
  resolved: Record<string, unknown>;
  /** Wait steps that fail, by step path. */
  failed?: Record<string, { code: string; message: string }>;
  /** Waits that are not over: the instance waits there again without the step being run again. */
  pending: Wait[];
}

/** The earliest time one of the waits is due by itself, or null. */
export function earliestDue(waits: Wait[]): Date | null {
  const times = waits.map(dueAt).filter((time): time is string => time !== null);
  return times.length > 0 ? new Date(Math.min(...times.map(Date.parse))) : null;
}

/** An instance a call-process step starts: its id derives from the calling instance and step. */
export interface ProcessCall {
  childId: string;
  step: string;
  processId: string;
  payload: Record<string, unknown>;
  wait: boolean;
}
