import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
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
