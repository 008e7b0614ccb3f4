import { Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import { EffectiveProcesses } from '../engine/effective-processes.js';
import { TIMER_EARLY_MS, dueAt, dueOutput, earliestDue, type InstanceState, type InstanceStatus, type Wait } from '../engine/instance-state.js';
import type { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { ProcessRunner, type RunInput, type RunOutcome } from '../engine/process-runner.js';
import { WebhookLogService, type WebhookDetail } from '../webhooks/webhook-log.service.js';
import { InstanceWaits } from './instance-waits.service.js';
import type { InstanceJob } from './job-contracts.js';
import { PipelineEvents } from './pipeline-events.js';
import { ProcessCalls } from './process-calls.service.js';
import { failedOutcome, summarize } from './webhook-runner.service.js';
import { ApprovalTasks } from './approval-tasks.service.js';
import { RecordTriggers } from './record-triggers.service.js';
import { InstanceLimits } from './instance-limits.service.js';

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
    // The claim reads the instance it claims; only a job that claims nothing reads it to tell why.
    const claimed = await this.instances.claimDue(job.tenantId, job.instanceId, job.seq);
    if (!claimed) return this.unclaimed(job, lastAttempt);
    const lagSeconds = job.dueAt ? Math.max(0, Date.now() - Date.parse(job.dueAt)) / 1000 : undefined;
    this.events.instanceResumed({ by: 'timer', lagSeconds });
    if (claimed.waits?.some((wait) => wait.kind === 'webhook')) await this.correlation.removeForInstance(claimed.id);
    return this.resume({ ...job, seq: job.seq + 1 }, lastAttempt, claimed);
  }

  /** A timer that found its instance not waiting for it at that seq, or not due yet. */
  private async unclaimed(job: InstanceJob, lastAttempt: boolean): Promise<ResumeResult> {
    const instance = await this.instances.get(job.tenantId, job.instanceId);
    // This job claimed it in an attempt that did not finish (a worker died): it goes on with it.
    if (instance?.status === 'running' && instance.seq === job.seq + 1 && instance.resumption?.by === 'timer') {
      return this.resume({ ...job, seq: job.seq + 1 }, lastAttempt, instance);
    }
    if (instance?.status === 'waiting' && instance.seq === job.seq && instance.wakeAt && instance.wakeAt.getTime() > Date.now() + TIMER_EARLY_MS) {
      // Fired early (this machine's clock is behind the one that armed it): the job tries again.
      throw new AppError(ErrorCode.Transient, `Instance ${instance.id} is due at ${instance.wakeAt.toISOString()}, not yet`);
    }
    return 'stale';
  }

  /** Runs a claimed instance on. An error that may pass is rethrown (the job retries) unless this is the last attempt. */
  async resume(job: InstanceJob, lastAttempt: boolean, claimed?: ProcessInstance): Promise<ResumeResult> {
    const instance = claimed ?? (await this.instances.get(job.tenantId, job.instanceId));
    if (!instance || instance.status !== 'running' || instance.seq !== job.seq) return 'stale';
    const webhook = instance.webhookId ? await this.log.find(instance.tenantId, instance.webhookId) : null;
    const ran = await this.runOn(instance, webhook, lastAttempt);
    // An instance that did not wait before (called, started by a record, retried) counts as a new wait.
    const outcome = instance.waits === null ? await this.limits.newWait(instance.tenantId, ran) : ran;
    const waiting = outcome.status === 'waiting';
    const status: InstanceStatus = waiting ? 'waiting' : outcome.status === 'failed' ? 'failed' : 'completed';
    const wakeAt = waiting ? earliestDue(outcome.waits) : null;
    await this.calls.start(instance, outcome.calls);
    await this.recordTriggers.start(instance, outcome.writes);
    const ended = { status, errorCode: outcome.error?.code ?? null, reason: outcome.error?.message ?? null, recordIds: outcome.recordIds };
    const changes = {
      ...ended,
      trace: [...instance.trace, ...outcome.trace],
      // A called instance keeps its outputs: they are its caller's step output.
      state: status === 'completed' && instance.trigger?.type !== 'process' ? null : outcome.state,
      waits: waiting ? outcome.waits : null,
      wakeAt,
      resumption: null,
      finishedAt: waiting ? null : new Date(),
    };
    // The webhook's only run: what the webhook became follows from this run alone, and is written with it.
    const onlyRun = !waiting && webhook?.runIds.length === 1 && webhook.runIds[0] === instance.id;
    const stored =
      onlyRun && changes.finishedAt
        ? await this.instances.saveRunWithWebhook(
            instance.id,
            job.seq,
            { ...changes, finishedAt: changes.finishedAt },
            { tenantId: instance.tenantId, id: webhook.id, ...summarize([ended]) },
          )
        : await this.instances.saveRun(instance.id, job.seq, changes);
    const line = { webhookId: instance.webhookId, instanceId: instance.id, tenantId: instance.tenantId, processId: instance.processId };
    if (!stored) {
      this.logger.warn({ msg: 'Instance was cancelled while it ran: what it did is kept, its outcome is not', ...line });
      return 'stale';
    }
    await this.tasks.settle(instance, waiting ? outcome.waits : [], outcome.state);
    if (waiting) await this.waits.park({ ...instance, seq: job.seq, waits: outcome.waits, wakeAt });
    else {
      if (!onlyRun) await this.refreshWebhook(instance);
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
  private async refreshWebhook(instance: ProcessInstance): Promise<void> {
    if (!instance.webhookId) return;
    const webhook = await this.log.find(instance.tenantId, instance.webhookId);
    if (!webhook?.runIds.includes(instance.id)) return;
    const runs = new Map((await this.instances.listByWebhook(instance.tenantId, instance.webhookId)).map((run) => [run.id, run]));
    if (!webhook.runIds.every((id) => runs.has(id))) return;
    const result = summarize(webhook.runIds.map((id) => runs.get(id)!));
    await this.log.finish(instance.tenantId, instance.webhookId, result.status, result.reason, result.recordIds);
  }

  private async runOn(instance: ProcessInstance, webhook: WebhookDetail | null, lastAttempt: boolean): Promise<RunOutcome> {
    const state: InstanceState = instance.state ?? { writeKey: `${instance.webhookId ?? instance.id}:${instance.processId}`, vars: {}, outputs: {}, memo: {} };
    const process = await this.processes.pinned(instance.tenantId, instance.processId, instance.processVersion, instance.processSource ?? undefined);
    const started = startedBy(instance, webhook);
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

/** The instance's `$` and `$webhook`: its webhook's (from the log), or its own when no webhook started it; null when its webhook is gone. */
function startedBy(instance: ProcessInstance, webhook: WebhookDetail | null): Pick<RunInput, 'payload' | 'webhook'> | null {
  if (!instance.webhookId) return { payload: instance.payload ?? {}, webhook: null };
  if (!webhook) return null;
  return {
    payload: webhook.payload,
    webhook: { id: webhook.id, apiKeyId: webhook.apiKeyId, apiKeyName: webhook.apiKeyName, receivedAt: webhook.receivedAt },
  };
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
    if (due === null || Date.parse(due) > now + TIMER_EARLY_MS) pending.push(wait);
    // A retry that is due is no wait any more: the step, not done, runs again.
    else if (wait.kind !== 'retry' && wait.kind !== 'process') resolved[wait.step] = dueOutput(wait);
  }
  return { resolved, pending };
}

function failed(error: AppError, instance: ProcessInstance, state: InstanceState): RunOutcome {
  return { ...failedOutcome(error), recordIds: instance.recordIds, state };
}
