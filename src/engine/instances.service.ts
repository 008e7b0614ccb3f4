import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { PROCESS_END, PROCESS_START } from './bpmn/element-ids.js';
import type { InstanceStatus } from './instance-state.js';
import type { ProcessInstance } from './process-instance.entity.js';
import { ProcessInstancesRepository, type InstanceFilter } from './process-instances.repository.js';

/** An instance as analysts read it: its timeline (`trace`), what it waits for, what it wrote. */
export type InstanceView = Omit<ProcessInstance, 'tenantId' | 'startedAt' | 'finishedAt' | 'wakeAt' | 'updatedAt' | 'state' | 'resumption' | 'seq'> & {
  startedAt: string;
  finishedAt: string | null;
  wakeAt: string | null;
  updatedAt: string | null;
};

/** One instance with its variables and step outputs (kept while it waits, and after it failed). */
export type InstanceDetail = InstanceView & { vars: Record<string, unknown> | null; outputs: Record<string, unknown> | null };

export interface InstanceOutcome {
  id: string;
  processId: string;
  status: InstanceStatus;
  /** Whether the webhook started the instance (a trigger) or resumed it (a wait-for-webhook). */
  how: 'started' | 'resumed';
}

/** The most instances the diagram's counts go through; beyond, they are those of the newest (`complete: false`). */
export const ELEMENT_COUNT_INSTANCES = 10_000;

export interface ElementCount {
  waiting: number;
  failed: number;
  completed: number;
}

export interface ElementCounts {
  from: string;
  to: string;
  instances: number;
  /** False when the period had more instances than were counted. */
  complete: boolean;
  /** By BPMN element id. */
  elements: Record<string, ElementCount>;
}

/** A step's id from its place in a trace (`lines[2].lead` → `lead`). */
function stepIdOf(tracePath: string): string {
  return tracePath.slice(tracePath.lastIndexOf('.') + 1);
}

/** The process instances of a tenant, as the webhook log, the admin API and the CLI show them. */
@Injectable()
export class InstancesService {
  constructor(private readonly instances: ProcessInstancesRepository) {}

  async forWebhook(tenantId: string, webhookId: string): Promise<InstanceView[]> {
    return (await this.instances.listByWebhook(tenantId, webhookId)).map(toView);
  }

  /** Newest first, e.g. the failed instances of one process, or those waiting for a webhook. */
  async list(tenantId: string, filter: InstanceFilter, limit: number): Promise<InstanceView[]> {
    return (await this.instances.list(tenantId, filter, limit)).map(toView);
  }

  /** What a webhook's sender may know of the instances it started and resumed: their process and status. */
  async outcomes(tenantId: string, started: string[], resumed: string[]): Promise<InstanceOutcome[]> {
    const found = new Map((await this.instances.statuses(tenantId, [...started, ...resumed])).map((instance) => [instance.id, instance]));
    const outcome = (how: InstanceOutcome['how']) => (id: string) => {
      const instance = found.get(id);
      return instance ? [{ id, processId: instance.processId, status: instance.status, how }] : [];
    };
    return [...started.flatMap(outcome('started')), ...resumed.flatMap(outcome('resumed'))];
  }

  /** How many of the tenant's instances wait and how many failed (the dashboard). */
  async counts(tenantId: string): Promise<{ waiting: number; failed: number }> {
    const [waiting, failed] = await Promise.all([this.instances.countByStatus(tenantId, 'waiting'), this.instances.countByStatus(tenantId, 'failed')]);
    return { waiting, failed };
  }

  /**
   * Per diagram element (a step's element id is the step id; the start and end events have
   * their own), how many of the process's instances started in the period wait there, failed
   * there and went through it. At most ELEMENT_COUNT_INSTANCES instances, the newest.
   */
  async elementCounts(tenantId: string, processId: string, from: Date, to: Date): Promise<ElementCounts> {
    const instances = await this.instances.paths(tenantId, processId, from, to, ELEMENT_COUNT_INSTANCES + 1);
    const counted = instances.slice(0, ELEMENT_COUNT_INSTANCES);
    const elements: Record<string, ElementCount> = {};
    const count = (id: string, what: keyof ElementCount) => ((elements[id] ??= { waiting: 0, failed: 0, completed: 0 })[what] += 1);
    for (const { status, trace, waits } of counted) {
      if (status === 'skipped') continue;
      count(PROCESS_START, 'completed');
      // Once per instance, however often a loop ran the step.
      for (const step of new Set(trace.filter((entry) => entry.status === 'ok').map((entry) => stepIdOf(entry.step)))) count(step, 'completed');
      if (status === 'completed') count(PROCESS_END, 'completed');
      if (status === 'waiting') for (const step of new Set((waits ?? []).map((wait) => wait.stepId))) count(step, 'waiting');
      const failedAt = status === 'failed' ? trace.findLast((entry) => entry.status === 'failed') : undefined;
      if (failedAt) count(stepIdOf(failedAt.step), 'failed');
    }
    return { from: from.toISOString(), to: to.toISOString(), instances: counted.length, complete: instances.length <= ELEMENT_COUNT_INSTANCES, elements };
  }

  async get(tenantId: string, id: string): Promise<InstanceDetail> {
    const instance = await this.instances.get(tenantId, id);
    if (!instance) throw new AppError(ErrorCode.NotFound, `Instance ${id} does not exist in this tenant`);
    return { ...toView(instance), vars: instance.state?.vars ?? null, outputs: instance.state?.outputs ?? null };
  }
}

function toView({ tenantId: _tenant, state: _state, resumption: _resumption, seq: _seq, ...instance }: ProcessInstance): InstanceView {
  return {
    ...instance,
    startedAt: instance.startedAt.toISOString(),
    finishedAt: instance.finishedAt?.toISOString() ?? null,
    wakeAt: instance.wakeAt?.toISOString() ?? null,
    updatedAt: instance.updatedAt?.toISOString() ?? null,
  };
}
