import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import type { InstanceStatus } from '../engine/instance-state.js';
import type { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { WebhookQueue } from './webhook-queue.js';
import { PipelineEvents } from './pipeline-events.js';
import { ApprovalTasks } from './approval-tasks.service.js';

const CANCELLABLE: readonly InstanceStatus[] = ['waiting', 'running', 'failed'];

/** What an analyst does to an instance: cancel it, or retry a failed one from the step that failed. */
@Injectable()
export class InstanceControl {
  constructor(
    private readonly instances: ProcessInstancesRepository,
    private readonly correlation: CorrelationRepository,
    private readonly queue: WebhookQueue,
    private readonly events: PipelineEvents,
    private readonly tasks: ApprovalTasks,
  ) {}

  /**
   * Ends a waiting, running or failed instance for good, and the instances it waits for
   * (call-process with `wait`). A run in progress finishes the step it is at (what it wrote
   * stays) and then stops: its outcome is not stored.
   */
  async cancel(tenantId: string, id: string): Promise<void> {
    const instance = await this.find(tenantId, id);
    if (!CANCELLABLE.includes(instance.status)) {
      throw new AppError(ErrorCode.Conflict, `Instance ${id} is ${instance.status}; only waiting, running or failed instances can be cancelled`);
    }
    const won = await this.instances.claim(id, CANCELLABLE, instance.seq, {
      status: 'cancelled',
      finishedAt: new Date(),
      waits: null,
      wakeAt: null,
      resumption: null,
    });
    if (!won) throw new AppError(ErrorCode.Conflict, `Instance ${id} moved on while it was being cancelled; look at it again`);
    await this.correlation.removeForInstance(id);
    await this.tasks.cancelled(id);
    // The instances it waits for (call-process with wait) exist only for it: they end with it.
    for (const wait of instance.waits ?? []) {
      if (wait.kind !== 'process') continue;
      const child = await this.instances.get(tenantId, wait.childId);
      if (child && (child.status === 'waiting' || child.status === 'running')) await this.cancelIfLive(tenantId, child.id);
    }
  }

  /** A called instance that ends just now is left as it ended. */
  private async cancelIfLive(tenantId: string, id: string): Promise<void> {
    try {
      await this.cancel(tenantId, id);
    } catch (error) {
      if (!(error instanceof AppError && error.code === ErrorCode.Conflict)) throw error;
    }
  }

  /** Runs a failed instance again from the step that failed: the steps before it are not run again. */
  async retry(tenantId: string, id: string): Promise<void> {
    const instance = await this.find(tenantId, id);
    if (instance.status !== 'failed') throw new AppError(ErrorCode.Conflict, `Instance ${id} is ${instance.status}; only a failed instance can be retried`);
    const resumption = { by: 'retry' as const, at: new Date().toISOString() };
    // A step's retry option counts afresh from a retry by hand.
    const state = instance.state ? { ...instance.state, retries: {} } : null;
    const won = await this.instances.claim(id, ['failed'], instance.seq, {
      status: 'running',
      resumption,
      state,
      finishedAt: null,
      errorCode: null,
      reason: null,
    });
    if (!won) throw new AppError(ErrorCode.Conflict, `Instance ${id} moved on while it was being retried; look at it again`);
    await this.queue.addResumes([{ tenantId, instanceId: id, seq: instance.seq + 1 }]);
    this.events.instanceResumed({ by: 'retry' });
  }

  private async find(tenantId: string, id: string): Promise<ProcessInstance> {
    const instance = await this.instances.get(tenantId, id);
    if (!instance) throw new AppError(ErrorCode.NotFound, `Instance ${id} does not exist in this tenant`);
    return instance;
  }
}
