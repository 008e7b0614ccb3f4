import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { toBpmn } from './bpmn/definition-to-bpmn.js';
import { PROCESS_END, PROCESS_START } from './bpmn/element-ids.js';
import { EffectiveProcesses } from './effective-processes.js';
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

/** Where one instance went, per BPMN element: the element it failed at, those it waits at, those it went through. */
export type ElementOutcome = 'completed' | 'failed' | 'waiting';

/** One instance drawn: the BPMN document of the process version it ran, and each element's outcome on it. */
export interface InstanceDiagram {
  processId: string;
  processVersion: number;
  xml: string;
  elements: Record<string, ElementOutcome>;
}

/** A step's id from its place in a trace (`lines[2].lead` → `lead`). */
function stepIdOf(tracePath: string): string {
  return tracePath.slice(tracePath.lastIndexOf('.') + 1);
}

/** The process instances of a tenant, as the webhook log, the admin API and the CLI show them. */
@Injectable()
export class InstancesService {
  constructor(
    private readonly instances: ProcessInstancesRepository,
    private readonly processes: EffectiveProcesses,
  ) {}

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
    for (const instance of counted) {
      for (const [what, ids] of Object.entries(reachedBy(instance)) as Array<[keyof ElementCount, Set<string>]>) for (const id of ids) count(id, what);
    }
    return { from: from.toISOString(), to: to.toISOString(), instances: counted.length, complete: instances.length <= ELEMENT_COUNT_INSTANCES, elements };
  }

  async get(tenantId: string, id: string): Promise<InstanceDetail> {
    const instance = await this.found(tenantId, id);
    return { ...toView(instance), vars: instance.state?.vars ?? null, outputs: instance.state?.outputs ?? null };
  }

  /** The diagram of the version the instance ran (not the one that runs now), with the path it took on it. */
  async diagram(tenantId: string, id: string): Promise<InstanceDiagram> {
    const instance = await this.found(tenantId, id);
    const { processId, processVersion } = instance;
    const process = await this.processes.pinned(tenantId, processId, processVersion, instance.processSource ?? undefined);
    if (!process) throw new AppError(ErrorCode.NotFound, `Process "${processId}" version ${processVersion}, which the instance ran, is no longer kept`);
    return { processId, processVersion, xml: await toBpmn(process.definition), elements: outcomesOf(instance) };
  }

  private async found(tenantId: string, id: string): Promise<ProcessInstance> {
    const instance = await this.instances.get(tenantId, id);
    if (!instance) throw new AppError(ErrorCode.NotFound, `Instance ${id} does not exist in this tenant`);
    return instance;
  }
}

/**
 * The elements an instance reached, by BPMN element id: those it went through (once, however
 * often a loop ran them), those it waits at, the one it failed at (its last failure, when it
 * failed). A skipped instance (no trigger matched) reached none.
 */
function reachedBy({ status, trace, waits }: Pick<ProcessInstance, 'status' | 'trace' | 'waits'>): Record<keyof ElementCount, Set<string>> {
  const reached = { completed: new Set<string>(), waiting: new Set<string>(), failed: new Set<string>() };
  if (status === 'skipped') return reached;
  reached.completed.add(PROCESS_START);
  for (const entry of trace) if (entry.status === 'ok') reached.completed.add(stepIdOf(entry.step));
  if (status === 'completed') reached.completed.add(PROCESS_END);
  if (status === 'waiting') for (const wait of waits ?? []) reached.waiting.add(wait.stepId);
  const failedAt = status === 'failed' ? trace.findLast((entry) => entry.status === 'failed') : undefined;
  if (failedAt) reached.failed.add(stepIdOf(failedAt.step));
  return reached;
}

/** One outcome per element for a diagram of one instance: where it failed or waits tells more than that a loop went through it before. */
function outcomesOf(instance: Pick<ProcessInstance, 'status' | 'trace' | 'waits'>): Record<string, ElementOutcome> {
  const outcomes: Record<string, ElementOutcome> = {};
  for (const [outcome, ids] of Object.entries(reachedBy(instance)) as Array<[ElementOutcome, Set<string>]>) for (const id of ids) outcomes[id] = outcome;
  return outcomes;
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
