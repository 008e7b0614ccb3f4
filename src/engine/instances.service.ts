import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
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
