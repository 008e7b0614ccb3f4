import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import { CorrelationWait } from '../engine/correlation-wait.entity.js';
import type { ProcessInstance } from '../engine/process-instance.entity.js';
import { WaitSubscription } from '../engine/wait-subscription.entity.js';
import { stableUuid } from './webhook-dispatcher.service.js';
import { WebhookQueue } from './webhook-queue.js';
import { ProcessCalls } from './process-calls.service.js';
import { ApprovalTasks } from './approval-tasks.service.js';

export type ParkedInstance = Pick<ProcessInstance, 'id' | 'tenantId' | 'processId' | 'processVersion' | 'processSource' | 'seq' | 'waits' | 'wakeAt'>;

/**
 * What makes a waiting instance findable once it is stored as waiting: the correlation keys of
 * its wait-for-webhook steps (in the database), the user tasks of its wait-for-approval steps, its timer (a delayed job in Redis, which the
 * sweeper re-arms from the database when Redis loses it), and a look at the instances it called
 * that may have ended already. Safe to repeat.
 */
@Injectable()
export class InstanceWaits {
  constructor(
    private readonly correlation: CorrelationRepository,
    private readonly queue: WebhookQueue,
    private readonly calls: ProcessCalls,
    private readonly tasks: ApprovalTasks,
  ) {}

  async park(instance: ParkedInstance): Promise<void> {
    const now = new Date();
    const source = instance.processSource ?? 'base';
    const subscriptions = new Map<string, WaitSubscription>();
    const waits: CorrelationWait[] = [];
    for (const wait of instance.waits ?? []) {
      if (wait.kind !== 'webhook') continue;
      const id = subscriptionId(source, instance.processId, instance.processVersion, wait.stepId);
      subscriptions.set(
        id,
        Object.assign(new WaitSubscription(), {
          tenantId: instance.tenantId,
          id,
          processId: instance.processId,
          processVersion: instance.processVersion,
          source,
          stepId: wait.stepId,
          touchedAt: now,
        }),
      );
      waits.push(
        Object.assign(new CorrelationWait(), {
          id: stableUuid(`${instance.id}:${instance.seq}:${wait.step}`),
          tenantId: instance.tenantId,
          subscription: id,
          correlationKey: wait.key,
          instanceId: instance.id,
          instanceSeq: instance.seq,
          step: wait.step,
          createdAt: now,
        }),
      );
    }
    await this.correlation.add([...subscriptions.values()], waits);
    await this.tasks.open(instance);
    if (instance.wakeAt) await this.queue.addWakes([{ tenantId: instance.tenantId, instanceId: instance.id, seq: instance.seq, at: instance.wakeAt }]);
    await this.calls.parked(instance);
  }
}

/** One wait-for-webhook step of one process version: what a webhook's key is computed for. */
function subscriptionId(source: string, processId: string, version: number, stepId: string): string {
  return createHash('sha256').update(`${source}\n${processId}\n${version}\n${stepId}`).digest('hex');
}
