import { Injectable, Logger } from '@nestjs/common';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import { EffectiveProcesses } from '../engine/effective-processes.js';
import { findStep } from '../engine/compiled-process.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { webhookCorrelationKey, type WaitForWebhookInput } from '../engine/steps/wait-for-webhook.step.js';
import type { WaitSubscription } from '../engine/wait-subscription.entity.js';
import type { InstanceJob, WebhookJob } from './job-contracts.js';
import { WebhookQueue } from './webhook-queue.js';
import { PipelineEvents } from './pipeline-events.js';

/** Candidates read at a time; more are read only when these were all claimed by others meanwhile. */
const CANDIDATES = 10;

/**
 * Message correlation: a new webhook resumes the instances waiting for its key. For each step of
 * the tenant that instances wait at (a few per tenant), the webhook's key is computed with that
 * step's webhookKey expression and looked up in an index: the cost does not grow with the
 * number of waiting instances. Of several instances waiting at one step for one key, the one
 * waiting longest gets the webhook; one webhook resumes at most one instance per step.
 */
@Injectable()
export class CorrelationService {
  private readonly logger = new Logger(CorrelationService.name);

  constructor(
    private readonly correlation: CorrelationRepository,
    private readonly instances: ProcessInstancesRepository,
    private readonly processes: EffectiveProcesses,
    private readonly queue: WebhookQueue,
    private readonly events: PipelineEvents,
  ) {}

  /** Claims the waiting instances the webhook resumes and queues their runs; answers their ids. */
  async correlate(webhook: WebhookJob): Promise<string[]> {
    const subscriptions = await this.correlation.subscriptionsOf(webhook.tenantId);
    if (subscriptions.length === 0) return [];
    // A repeated attempt of this webhook's job: what it resumed before is not claimed again, and
    // their runs are queued again (a crash may have come between the claim and the queueing).
    const earlier = await this.instances.resumedBy(webhook.tenantId, webhook.webhookId);
    if (earlier.length > 0) {
      const running = earlier.filter((instance) => instance.status === 'running');
      await this.queue.addResumes(running.map((instance) => ({ tenantId: instance.tenantId, instanceId: instance.id, seq: instance.seq })));
      return earlier.map((instance) => instance.id);
    }
    const claimed: InstanceJob[] = [];
    for (const subscription of subscriptions) {
      const input = await this.waitingStep(subscription);
      if (!input) continue;
      const key = await webhookCorrelationKey(input, {
        tenantId: webhook.tenantId,
        webhookId: webhook.webhookId,
        payload: webhook.payload,
        webhook: { id: webhook.webhookId, apiKeyId: webhook.apiKeyId, apiKeyName: webhook.apiKeyName, receivedAt: webhook.receivedAt },
      });
      if (key === null) continue;
      const job = await this.claimLongestWaiting(webhook, subscription.id, key);
      if (job) claimed.push(job);
    }
    await this.queue.addResumes(claimed);
    for (const _ of claimed) this.events.instanceResumed({ by: 'webhook' });
    return claimed.map((job) => job.instanceId);
  }

  private async claimLongestWaiting(webhook: WebhookJob, subscription: string, key: string): Promise<InstanceJob | null> {
    for (;;) {
      const candidates = await this.correlation.waiting(webhook.tenantId, subscription, key, CANDIDATES);
      if (candidates.length === 0) return null;
      for (const wait of candidates) {
        const output = { timedOut: false, webhookId: webhook.webhookId, payload: webhook.payload };
        const won = await this.instances.claim(wait.instanceId, ['waiting'], wait.instanceSeq, {
          status: 'running',
          resumption: { by: 'webhook', at: new Date().toISOString(), resolved: { [wait.step]: output } },
          resumedBy: webhook.webhookId,
          wakeAt: null,
        });
        if (won) {
          await this.correlation.removeForInstance(wait.instanceId);
          return { tenantId: webhook.tenantId, instanceId: wait.instanceId, seq: wait.instanceSeq + 1 };
        }
        // The instance had moved on already (another webhook, its timeout, a cancel): the row is stale.
        await this.correlation.remove(wait.id);
      }
    }
  }

  private async waitingStep(subscription: WaitSubscription): Promise<WaitForWebhookInput | null> {
    const process = await this.processes.pinned(subscription.tenantId, subscription.processId, subscription.processVersion, subscription.source);
    const step = process ? findStep(process.steps, subscription.stepId) : null;
    if (!step || step.definition.type !== 'wait-for-webhook') {
      this.logger.warn(
        `Tenant ${subscription.tenantId}: instances wait at step "${subscription.stepId}" of ${subscription.processId} v${subscription.processVersion}, which is gone`,
      );
      return null;
    }
    return step.input as WaitForWebhookInput;
  }
}
