import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { RunProcessJob, WebhookJob } from '../queue/queue.constants.js';
import { WebhookQueue } from '../queue/webhook-queue.producer.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { EffectiveProcesses } from './effective-processes.js';
import { ProcessRun } from './process-run.entity.js';
import { ProcessRunner, type RunOutcome } from './process-runner.js';
import { ProcessRunsRepository } from './process-runs.repository.js';

export interface WebhookOutcome {
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
}

const NO_ACTIVE_PROCESS = 'No active process for this webhook: it was kept without creating a record';
const NO_MATCHING_PROCESS = 'No process started: the trigger conditions of the active processes were false';

/** Failures that say what is wrong with the webhook (or the definition), not with the system. */
const WEBHOOK_PROBLEMS = new Set<string>([
  ErrorCode.Unmappable,
  ErrorCode.ExpressionFailed,
  ErrorCode.ProcessFailed,
  ErrorCode.HttpRejected,
  ErrorCode.InvalidDefinition,
]);

/**
 * Takes a queued webhook through its processes: dispatch logs it and queues one run job per
 * process it starts; each run job runs its process, stores the run and, when every process of
 * the webhook has a run, sets the webhook's status. Both are safe to repeat for the same job.
 */
@Injectable()
export class WebhookRunnerService {
  constructor(
    private readonly log: WebhookLogService,
    private readonly processes: EffectiveProcesses,
    private readonly runner: ProcessRunner,
    private readonly runs: ProcessRunsRepository,
    private readonly queue: WebhookQueue,
  ) {}

  async dispatch(job: WebhookJob): Promise<string[]> {
    await this.log.recordTaken(job);
    const processes = await this.processes.startedBy(job.tenantId, { id: job.apiKeyId, name: job.apiKeyName });
    if (processes.length === 0) {
      await this.log.finish(job.tenantId, job.webhookId, 'received', NO_ACTIVE_PROCESS, []);
      return [];
    }
    const processIds = processes.map((process) => process.definition.id);
    await this.log.dispatched(job.tenantId, job.webhookId, processIds);
    await this.queue.addRuns(
      processes.map(({ definition }) => ({
        tenantId: job.tenantId,
        webhookId: job.webhookId,
        apiKeyName: job.apiKeyName,
        processId: definition.id,
        version: definition.version,
      })),
    );
    return processIds;
  }

  /**
   * Runs one process for one webhook. A system error is rethrown (so the queue retries this
   * run alone) unless this is the last attempt, in which case the run is stored as failed.
   */
  async runProcess(job: RunProcessJob, attemptKey: string, lastAttempt: boolean): Promise<RunOutcome['status']> {
    const webhook = await this.log.get(job.tenantId, job.webhookId);
    const process = await this.processes.pinned(job.tenantId, job.processId, job.version);
    const startedAt = new Date();
    let outcome: RunOutcome;
    if (!process) {
      const error = new AppError(ErrorCode.InvalidDefinition, `Process "${job.processId}" version ${job.version} no longer exists`);
      outcome = { status: 'failed', error, trace: [], recordIds: [], plannedWrites: [] };
    } else {
      try {
        outcome = await this.runner.run(process, {
          tenantId: job.tenantId,
          webhookId: job.webhookId,
          payload: webhook.payload,
          webhook: { id: webhook.id, apiKeyId: webhook.apiKeyId, apiKeyName: job.apiKeyName, receivedAt: webhook.receivedAt },
        });
      } catch (error) {
        const failure = error instanceof AppError ? error : new AppError(ErrorCode.Transient, String(error));
        if (!lastAttempt) throw failure;
        outcome = { status: 'failed', error: failure, trace: [], recordIds: [], plannedWrites: [] };
      }
    }
    await this.runs.insert([
      Object.assign(new ProcessRun(), {
        id: stableUuid(attemptKey),
        tenantId: job.tenantId,
        webhookId: job.webhookId,
        processId: job.processId,
        processVersion: job.version,
        status: outcome.status,
        errorCode: outcome.error?.code ?? null,
        reason: outcome.error?.message ?? null,
        trace: outcome.trace,
        recordIds: outcome.recordIds,
        startedAt,
        finishedAt: new Date(),
      }),
    ]);
    await this.finishWhenComplete(job.tenantId, job.webhookId, webhook.processIds);
    return outcome.status;
  }

  /**
   * Sets the webhook's status once each of its processes has a run. Every run job checks after
   * storing its run, so whichever finishes last sees them all.
   */
  private async finishWhenComplete(tenantId: string, webhookId: string, processIds: string[]): Promise<void> {
    const latest = new Map<string, ProcessRun>();
    for (const run of await this.runs.listByWebhook(tenantId, webhookId)) latest.set(run.processId, run);
    if (!processIds.every((id) => latest.has(id))) return;
    const result = summarize(processIds.map((id) => latest.get(id)!));
    await this.log.finish(tenantId, webhookId, result.status, result.reason, result.recordIds);
  }
}

/**
 * The webhook's status from its runs: `failed` when a run could not finish for a system reason
 * (worth a replay once the system is well), `processed` when a run succeeded, otherwise
 * `received` (kept, with the reason). Skipped runs (trigger condition false) do not count.
 */
export function summarize(
  runs: Array<Pick<ProcessRun, 'status' | 'errorCode' | 'reason' | 'recordIds'>>,
): WebhookOutcome {
  const recordIds = runs.flatMap((run) => run.recordIds);
  const started = runs.filter((run) => run.status !== 'skipped');
  const failures = started.filter((run) => run.status === 'failed');
  const systemFailure = failures.find((run) => !WEBHOOK_PROBLEMS.has(run.errorCode ?? ''));
  if (runs.length === 0) return { status: 'received', reason: NO_ACTIVE_PROCESS, recordIds };
  if (started.length === 0) return { status: 'received', reason: NO_MATCHING_PROCESS, recordIds };
  if (systemFailure) return { status: 'failed', reason: systemFailure.reason, recordIds };
  const reason = failures[0]?.reason ?? null;
  if (started.some((run) => run.status === 'succeeded')) return { status: 'processed', reason, recordIds };
  return { status: 'received', reason, recordIds };
}

/** A UUID derived from a name, so the same attempt of the same run always gets the same id. */
function stableUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
