import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { WebhookJob } from '../queue/queue.constants.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { ProcessRun } from './process-run.entity.js';
import { ProcessRunner, type RunOutcome } from './process-runner.js';
import { ProcessRunsRepository } from './process-runs.repository.js';
import { EffectiveProcesses } from './effective-processes.js';

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

/** Takes one queued webhook through every process it starts and logs the outcome. */
@Injectable()
export class WebhookRunnerService {
  constructor(
    private readonly log: WebhookLogService,
    private readonly processes: EffectiveProcesses,
    private readonly runner: ProcessRunner,
    private readonly runs: ProcessRunsRepository,
  ) {}

  /**
   * Safe to call again for the same job: the log entry, the runs and the records are all written
   * once. A system error is rethrown (so the queue retries) unless this is the last attempt,
   * in which case the run is stored as failed. One process failing does not stop the others.
   */
  async handle(job: WebhookJob, attemptKey: string, lastAttempt: boolean): Promise<WebhookOutcome> {
    await this.log.recordTaken(job);
    const processes = await this.processes.startedBy(job.tenantId, { id: job.apiKeyId, name: job.apiKeyName });
    const runs: ProcessRun[] = [];
    for (const process of processes) {
      const startedAt = new Date();
      let outcome: RunOutcome;
      try {
        outcome = await this.runner.run(process, {
          tenantId: job.tenantId,
          webhookId: job.webhookId,
          payload: job.payload,
          webhook: { id: job.webhookId, apiKeyId: job.apiKeyId, apiKeyName: job.apiKeyName, receivedAt: job.receivedAt },
        });
      } catch (error) {
        const failure = error instanceof AppError ? error : new AppError(ErrorCode.Transient, String(error));
        if (!lastAttempt) throw failure;
        outcome = { status: 'failed', error: failure, trace: [], recordIds: [], plannedWrites: [] };
      }
      const { definition } = process;
      runs.push(
        Object.assign(new ProcessRun(), {
          id: stableUuid(`${attemptKey}:${definition.id}`),
          tenantId: job.tenantId,
          webhookId: job.webhookId,
          processId: definition.id,
          processVersion: definition.version,
          status: outcome.status,
          errorCode: outcome.error?.code ?? null,
          reason: outcome.error?.message ?? null,
          trace: outcome.trace,
          recordIds: outcome.recordIds,
          startedAt,
          finishedAt: new Date(),
        }),
      );
    }
    await this.runs.insert(runs);
    const result = summarize(runs);
    await this.log.finish(job.tenantId, job.webhookId, result.status, result.reason, result.recordIds);
    return result;
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
