import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { RunProcessJob, WebhookJob } from './job-contracts.js';
import { WebhookQueue } from './webhook-queue.js';
import { WebhookLogService, type WebhookDetail } from '../webhooks/webhook-log.service.js';
import { EffectiveProcesses, type StartedProcess } from '../engine/effective-processes.js';

export const NO_ACTIVE_PROCESS = 'No active process for this webhook: it was kept without creating a record';

/**
 * Sends webhooks to their processes: one run job per process the webhook starts. Used by the
 * worker for each new webhook, and by replay, which sends a stored webhook through the
 * processes that are current now.
 */
@Injectable()
export class WebhookDispatcher {
  constructor(
    private readonly log: WebhookLogService,
    private readonly processes: EffectiveProcesses,
    private readonly queue: WebhookQueue,
  ) {}

  /**
   * For a new webhook: log it with the runs it waits for, then queue them. A webhook that starts
   * a single process (the usual case) is not queued again: its one run is answered for the
   * caller to run at once, and logged when it ends (WebhookRunnerService), which saves a job and
   * the database round trips that come with it. Safe to repeat for the same job.
   */
  async dispatch(job: WebhookJob, priority?: number): Promise<{ runIds: string[]; inline: RunProcessJob | null }> {
    const processes = await this.processes.startedBy(job.tenantId, { id: job.apiKeyId, name: job.apiKeyName });
    // Run ids derive from the webhook, so a repeated dispatch queues the same jobs again (ignored).
    const runs = runJobs(
      job.tenantId,
      job.webhookId,
      job.apiKeyName,
      processes,
      (processId) => stableUuid(`${job.webhookId}:${processId}`),
      null,
      job.requestId,
    );
    const runIds = runs.map((run) => run.runId);
    if (runs.length === 1) return { runIds, inline: runs[0] };
    await this.log.recordTaken(job, runIds, runs.length === 0 ? NO_ACTIVE_PROCESS : null);
    if (runs.length > 1) await this.queue.addRuns(runs, priority);
    return { runIds, inline: null };
  }

  /**
   * Sends a stored webhook through the current processes again and answers the new run ids.
   * A processed webhook is refused unless forced; a forced replay writes new records.
   */
  async replay(tenantId: string, webhookId: string, options: { force?: boolean; processId?: string } = {}): Promise<string[]> {
    const webhook = await this.log.get(tenantId, webhookId);
    if (webhook.status === 'queued') throw new AppError(ErrorCode.Conflict, `Webhook ${webhookId} is still being processed`);
    if (webhook.status === 'processed' && !options.force) {
      throw new AppError(ErrorCode.Conflict, `Webhook ${webhookId} was processed already; replay it with force to run it again`);
    }
    return this.replayWebhook(webhook, options);
  }

  private async replayWebhook(webhook: WebhookDetail, options: { force?: boolean; processId?: string }): Promise<string[]> {
    let processes = await this.processes.startedBy(webhook.tenantId, { id: webhook.apiKeyId, name: webhook.apiKeyName });
    if (options.processId) processes = processes.filter((process) => process.definition.id === options.processId);
    const forced = options.force ? `replay-${randomUUID()}` : null;
    const runs = runJobs(webhook.tenantId, webhook.id, webhook.apiKeyName, processes, () => randomUUID(), forced);
    if (runs.length === 0) {
      await this.log.finish(webhook.tenantId, webhook.id, 'received', NO_ACTIVE_PROCESS, []);
      return [];
    }
    await this.log.replayed(
      webhook.tenantId,
      webhook.id,
      runs.map((run) => run.runId),
    );
    await this.queue.addRuns(runs);
    return runs.map((run) => run.runId);
  }
}

function runJobs(
  tenantId: string,
  webhookId: string,
  apiKeyName: string,
  processes: StartedProcess[],
  runId: (processId: string) => string,
  forcedKey: string | null,
  requestId?: string,
): RunProcessJob[] {
  return processes.map(({ definition, source }) => ({
    runId: runId(definition.id),
    tenantId,
    webhookId,
    apiKeyName,
    processId: definition.id,
    version: definition.version,
    source,
    writeKey: `${webhookId}:${definition.id}${forcedKey ? `:${forcedKey}` : ''}`,
    ...(requestId ? { requestId } : {}),
  }));
}

/** A UUID derived from a name, so the same run of the same webhook always gets the same id. */
export function stableUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
