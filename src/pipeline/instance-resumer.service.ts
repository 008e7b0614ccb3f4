import { Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import { EffectiveProcesses } from '../engine/effective-processes.js';
import { dueAt, dueOutput, earliestDue, type InstanceState, type Wait } from '../engine/instance-state.js';
import type { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { ProcessRunner, type RunInput, type RunOutcome } from '../engine/process-runner.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { InstanceWaits } from './instance-waits.service.js';
import type { InstanceJob } from './job-contracts.js';
import { PipelineEvents } from './pipeline-events.js';
import { ProcessCalls } from './process-calls.service.js';
import { failedOutcome, summarize } from './webhook-runner.service.js';
import { ApprovalTasks } from './approval-tasks.service.js';
import { RecordTriggers } from './record-triggers.service.js';
import { InstanceLimits } from './instance-limits.service.js';

/** A timer job may fire this much before the instance's wake time (clocks of machines differ a little). */
const EARLY_MS = 50;

export type ResumeResult = 'waiting' | 'completed' | 'failed' | 'stale';

/**
 * Runs process instances on from where they stopped: a waiting one whose timer is due, or one a
 * webhook (correlation) or a retry has claimed. The run replays the steps that ended before
 * (their outputs are in the instance's state) and runs the rest; the instance is stored waiting
 * again, completed or failed. Every job carries the seq of its claim: a stale job does nothing.
 */
@Injectable()
export class InstanceResumer {
  private readonly logger = new Logger(InstanceResumer.name);

  constructor(
    private readonly instances: ProcessInstancesRepository,
    private readonly correlation: CorrelationRepository,
    private readonly log: WebhookLogService,
    private readonly processes: EffectiveProcesses,
    private readonly runner: ProcessRunner,
    private readonly waits: InstanceWaits,
    private readonly events: PipelineEvents,
    private readonly calls: ProcessCalls,
    private readonly tasks: ApprovalTasks,
    private readonly recordTriggers: RecordTriggers,
    private readonly limits: InstanceLimits,
  ) {}

  /** A waiting instance's timer: claims the instance if it still waits at that seq, then runs it. */
  async wake(job: InstanceJob, lastAttempt: boolean): Promise<ResumeResult> {
    const instance = await this.instances.get(job.tenantId, job.instanceId);
    // This job claimed it in an attempt that did not finish (a worker died): it goes on with it.
    if (instance?.status === 'running' && instance.seq === job.seq + 1 && instance.resumption?.by === 'timer') {
      return this.resume({ ...job, seq: job.seq + 1 }, lastAttempt);
    }
    if (!instance || instance.status !== 'waiting' || instance.seq !== job.seq || !instance.wakeAt) return 'stale';
    if (instance.wakeAt.getTime() > Date.now() + EARLY_MS) {
      // Fired early (this machine's clock is behind the one that armed it): the job tries again.
      throw new AppError(ErrorCode.Transient, `Instance ${instance.id} is due at ${instance.wakeAt.toISOString()}, not yet`);
    }
    const claim = { status: 'running' as const, resumption: { by: 'timer' as const, at: new Date().toISOString() }, wakeAt: null };
    const won = await this.instances.claim(instance.id, ['waiting'], instance.seq, claim);
    if (!won) return 'stale';
    this.events.instanceResumed({ by: 'timer', lagSeconds: Math.max(0, Date.now() - instance.wakeAt.getTime()) / 1000 });
    if (instance.waits?.some((wait) => wait.kind === 'webhook')) await this.correlation.removeForInstance(instance.id);
    // What the claim made of it: no need to read it again.
    return this.resume({ ...job, seq: job.seq + 1 }, lastAttempt, Object.assign(instance, claim, { seq: job.seq + 1 }));
  }

  /** Runs a claimed instance on. An error that may pass is rethrown (the job retries) unless this is the last attempt. */
  async resume(job: InstanceJob, lastAttempt: boolean, claimed?: ProcessInstance): Promise<ResumeResult> {
    const instance = claimed ?? (await this.instances.get(job.tenantId, job.instanceId));
    if (!instance || instance.status !== 'running' || instance.seq !== job.seq) return 'stale';
    const ran = await this.runOn(instance, lastAttempt);
    // An instance that did not wait before (called, started by a record, retried) counts as a new wait.
    const outcome = instance.waits === null ? await this.limits.newWait(instance.tenantId, ran) : ran;
    const waiting = outcome.status === 'waiting';
    const status = waiting ? 'waiting' : outcome.status === 'failed' ? 'failed' : 'completed';
    const wakeAt = waiting ? earliestDue(outcome.waits) : null;
    await this.calls.start(instance, outcome.calls);
    await this.recordTriggers.start(instance, outcome.writes);
    const stored = await this.instances.saveRun(instance.id, job.seq, {
      status,
      errorCode: outcome.error?.code ?? null,
      reason: outcome.error?.message ?? null,
      trace: [...instance.trace, ...outcome.trace],
      recordIds: outcome.recordIds,
      // A called instance keeps its outputs: they are its caller's step output.
      state: status === 'completed' && instance.trigger?.type !== 'process' ? null : outcome.state,
      waits: waiting ? outcome.waits : null,
      wakeAt,
      resumption: null,
      finishedAt: waiting ? null : new Date(),
    });
    const line = { webhookId: instance.webhookId, instanceId: instance.id, tenantId: instance.tenantId, processId: instance.processId };
    if (!stored) {
      this.logger.warn({ msg: 'Instance was cancelled while it ran: what it did is kept, its outcome is not', ...line });
      return 'stale';
    }
    await this.tasks.settle(instance, waiting ? outcome.waits : [], outcome.state);
    if (waiting) await this.waits.park({ ...instance, seq: job.seq, waits: outcome.waits, wakeAt });
    else {
      await this.refreshWebhook(instance, {
        status,
        errorCode: outcome.error?.code ?? null,
        reason: outcome.error?.message ?? null,
        recordIds: outcome.recordIds,
      });
      await this.calls.ended(instance);
    }
    this.events.runStored({ tenantId: instance.tenantId, processId: instance.processId, status, trace: outcome.trace, recordIds: outcome.recordIds });
    if (status === 'failed') this.logger.warn({ msg: `Instance failed: ${outcome.error?.message ?? 'unknown error'}`, ...line });
    else this.logger.debug({ msg: `Instance ${status}`, records: outcome.recordIds.length, ...line });
    return status;
  }

  /**
   * The webhook that started the instance tells what became of it: once the instance has ended
   * (after a retry, say), the webhook's status, reason and records follow from its runs again.
   */
  private async refreshWebhook(instance: ProcessInstance, ended: Parameters<typeof summarize>[0][number]): Promise<void> {
    if (!instance.webhookId) return;
    const webhook = await this.log.find(instance.tenantId, instance.webhookId);
    if (!webhook?.runIds.includes(instance.id)) return;
    // The webhook's only run: what it ended as is at hand.
    const runs =
      webhook.runIds.length === 1
        ? new Map([[instance.id, ended]])
        : new Map<string, Parameters<typeof summarize>[0][number]>(
            (await this.instances.listByWebhook(instance.tenantId, instance.webhookId)).map((run) => [run.id, run]),
          );
    if (!webhook.runIds.every((id) => runs.has(id))) return;
    const result = summarize(webhook.runIds.map((id) => runs.get(id)!));
    await this.log.finish(instance.tenantId, instance.webhookId, result.status, result.reason, result.recordIds);
  }

  /** The instance's `$` and `$webhook`: its webhook's (from the log), or its own when no webhook started it. */
  private async startedBy(instance: ProcessInstance): Promise<Pick<RunInput, 'payload' | 'webhook'> | null> {
    if (!instance.webhookId) return { payload: instance.payload ?? {}, webhook: null };
    const webhook = await this.log.find(instance.tenantId, instance.webhookId);
    if (!webhook) return null;
    return {
      payload: webhook.payload,
      webhook: { id: webhook.id, apiKeyId: webhook.apiKeyId, apiKeyName: webhook.apiKeyName, receivedAt: webhook.receivedAt },
    };
  }

  private async runOn(instance: ProcessInstance, lastAttempt: boolean): Promise<RunOutcome> {
    const state: InstanceState = instance.state ?? { writeKey: `${instance.webhookId ?? instance.id}:${instance.processId}`, vars: {}, outputs: {}, memo: {} };
    const process = await this.processes.pinned(instance.tenantId, instance.processId, instance.processVersion, instance.processSource ?? undefined);
    const started = await this.startedBy(instance);
    if (!started) return failed(new AppError(ErrorCode.NotFound, `The webhook that started instance ${instance.id} is no longer stored`), instance, state);
    if (!process) {
      return failed(
        new AppError(ErrorCode.InvalidDefinition, `Process "${instance.processId}" version ${instance.processVersion} no longer exists`),
        instance,
        state,
      );
    }
    const failedWaits = instance.resumption?.failed ?? {};
    const { resolved, pending } = settle(
      (instance.waits ?? []).filter((wait) => !(wait.step in failedWaits)),
      instance.resumption?.resolved ?? {},
      Date.now(),
    );
    try {
      return await this.runner.run(process, {
        tenantId: instance.tenantId,
        webhookId: instance.webhookId ?? instance.id,
        ...started,
        depth: ProcessCalls.depthOf(instance),
        resume: { state, resolved, failed: failedWaits, pending, recordIds: instance.recordIds },
      });
    } catch (error) {
      const failure = AppError.from(error) ?? new AppError(ErrorCode.Transient, String(error));
      if (!lastAttempt && failure.retryable) throw failure;
      return failed(failure, instance, state);
    }
  }
}

/**
 * Which waits are over now: those a claim resolved (a webhook), those due by their time (a
 * timer: `{ until }`; a wait for a webhook: `{ timedOut: true }`; a retry: its step runs again).
 * The rest stay pending.
 */
function settle(waits: Wait[], claimed: Record<string, unknown>, now: number): { resolved: Record<string, unknown>; pending: Wait[] } {
  const resolved = { ...claimed };
  const pending: Wait[] = [];
  for (const wait of waits) {
    if (wait.step in resolved) continue;
    const due = dueAt(wait);
    if (due === null || Date.parse(due) > now + EARLY_MS) pending.push(wait);
    // A retry that is due is no wait any more: the step, not done, runs again.
    else if (wait.kind !== 'retry' && wait.kind !== 'process') resolved[wait.step] = dueOutput(wait);
  }
  return { resolved, pending };
}

function failed(error: AppError, instance: ProcessInstance, state: InstanceState): RunOutcome {
  return { ...failedOutcome(error), recordIds: instance.recordIds, state };
}
