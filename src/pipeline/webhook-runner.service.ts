import { Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode, failureKind } from '../common/app-error.js';
import type { RunProcessJob, WebhookJob } from './job-contracts.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { EffectiveProcesses } from '../engine/effective-processes.js';
import { NO_ACTIVE_PROCESS } from './webhook-dispatcher.service.js';
import { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessRunner, type RunOutcome } from '../engine/process-runner.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { PipelineEvents } from './pipeline-events.js';
import { ParameterDriftService } from '../drift/parameter-drift.service.js';
import type { TraceEntry } from '../engine/step-type.js';
import type { ProcessSource } from '../engine/tenant-process.entity.js';
import { earliestDue } from '../engine/instance-state.js';
import { InstanceWaits } from './instance-waits.service.js';
import { ProcessCalls } from './process-calls.service.js';
import { RecordTriggers } from './record-triggers.service.js';
import { InstanceLimits } from './instance-limits.service.js';

export interface WebhookOutcome {
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
}

const NO_MATCHING_PROCESS = 'No process started: the trigger conditions of the active processes were false';

/**
 * Runs one process for one webhook (a run job queued by WebhookDispatcher), stores the run and,
 * when every run of the webhook's dispatch is stored, sets the webhook's status. Safe to
 * repeat for the same job.
 */
@Injectable()
export class WebhookRunnerService {
  private readonly logger = new Logger(WebhookRunnerService.name);

  constructor(
    private readonly log: WebhookLogService,
    private readonly processes: EffectiveProcesses,
    private readonly runner: ProcessRunner,
    private readonly runs: ProcessInstancesRepository,
    private readonly events: PipelineEvents,
    private readonly drift: ParameterDriftService,
    private readonly waits: InstanceWaits,
    private readonly calls: ProcessCalls,
    private readonly recordTriggers: RecordTriggers,
    private readonly limits: InstanceLimits,
  ) {}

  /**
   * Runs one process for one webhook. An error that may pass is rethrown (so the queue retries
   * this run alone) unless this is the last attempt; otherwise the run is stored as failed.
   * `taken` is the webhook's own job when the run is its only one, run in the same job: the
   * payload is at hand and the run alone decides the webhook's status.
   */
  async runProcess(job: RunProcessJob, lastAttempt: boolean, taken?: WebhookJob): Promise<RunOutcome['status']> {
    const webhook = taken
      ? { id: taken.webhookId, apiKeyId: taken.apiKeyId, receivedAt: taken.receivedAt, payload: taken.payload, runIds: [job.runId] }
      : await this.log.get(job.tenantId, job.webhookId);
    const process = await this.processes.pinned(job.tenantId, job.processId, job.version, job.source);
    const startedAt = new Date();
    let outcome: RunOutcome;
    if (!process) {
      outcome = failedOutcome(new AppError(ErrorCode.InvalidDefinition, `Process "${job.processId}" version ${job.version} no longer exists`));
    } else {
      try {
        outcome = await this.runner.run(process, {
          tenantId: job.tenantId,
          webhookId: job.webhookId,
          writeKey: job.writeKey,
          payload: webhook.payload,
          webhook: { id: webhook.id, apiKeyId: webhook.apiKeyId, apiKeyName: job.apiKeyName, receivedAt: webhook.receivedAt },
        });
      } catch (error) {
        const failure = AppError.from(error) ?? new AppError(ErrorCode.Transient, String(error));
        if (!lastAttempt && failure.retryable) {
          // Waiting for its next attempt: an analyst sees it in the log, queued.
          if (taken) await this.log.recordTaken(taken, webhook.runIds, null);
          throw failure;
        }
        outcome = failedOutcome(failure);
      }
    }
    outcome = await this.limits.newWait(job.tenantId, outcome);
    const run = newInstance(
      { id: job.runId, tenantId: job.tenantId, webhookId: job.webhookId, processId: job.processId, version: job.version, source: job.source ?? null },
      outcome,
      startedAt,
    );
    const waiting = run.status === 'waiting';
    // The instances it calls, and those its records start, exist before it is stored (ProcessCalls, RecordTriggers).
    await this.calls.start(run, outcome.calls);
    await this.recordTriggers.start(run, outcome.writes);
    if (taken) await this.runs.insertWithWebhook(run, this.log.finishedEntry(taken, webhook.runIds, summarize([run])));
    else await this.runs.insert([run]);
    if (waiting) await this.waits.park(run);
    this.events.runStored({ tenantId: job.tenantId, processId: job.processId, status: outcome.status, trace: outcome.trace, recordIds: outcome.recordIds });
    // The webhook's first run counts it once for schema drift; every run tells what it mapped.
    this.drift.observe(job.tenantId, webhook.apiKeyId, Object.keys(webhook.payload), mappedParameters(outcome.trace), webhook.runIds[0] === job.runId);
    const line = { requestId: job.requestId, webhookId: job.webhookId, runId: job.runId, tenantId: job.tenantId, processId: job.processId };
    if (outcome.status === 'failed') this.logger.warn({ msg: `Run failed: ${outcome.error?.message ?? 'unknown error'}`, ...line });
    else this.logger.debug({ msg: `Run ${outcome.status}`, records: outcome.recordIds.length, ...line });
    if (!taken) await this.finishWhenComplete(job.tenantId, job.webhookId, webhook.runIds, run);
    return outcome.status;
  }

  /**
   * Sets the webhook's status once every run it waits for is stored. Every run job checks after
   * storing its run, so whichever finishes last sees them all.
   */
  private async finishWhenComplete(tenantId: string, webhookId: string, runIds: string[], latest: ProcessInstance): Promise<void> {
    // A webhook's only run needs no read to know that it is complete.
    const runs = runIds.length === 1 && runIds[0] === latest.id ? [latest] : await this.runs.listByWebhook(tenantId, webhookId);
    const stored = new Map(runs.map((run) => [run.id, run]));
    if (!runIds.every((id) => stored.has(id))) return;
    const result = summarize(runIds.map((id) => stored.get(id)!));
    await this.log.finish(tenantId, webhookId, result.status, result.reason, result.recordIds);
  }
}

/**
 * The webhook's status from its runs: `failed` when a run could not finish for a reason of the
 * system (a code whose failure kind is not `webhook`: worth a replay once the system is well),
 * `processed` when a run completed or waits, otherwise
 * `received` (kept, with the reason). Skipped runs (trigger condition false) do not count.
 */
export function summarize(
  runs: Array<Pick<ProcessInstance, 'status' | 'errorCode' | 'reason' | 'recordIds'> & Partial<Pick<ProcessInstance, 'trace'>>>,
): WebhookOutcome {
  const recordIds = runs.flatMap((run) => run.recordIds);
  const started = runs.filter((run) => run.status !== 'skipped');
  const failures = started.filter((run) => run.status === 'failed');
  const systemFailure = failures.find((run) => failureKind(run.errorCode) !== 'webhook');
  if (runs.length === 0) return { status: 'received', reason: NO_ACTIVE_PROCESS, recordIds };
  if (started.length === 0) return { status: 'received', reason: NO_MATCHING_PROCESS, recordIds };
  if (systemFailure) return { status: 'failed', reason: failureReason(systemFailure), recordIds };
  const reason = failures[0] ? failureReason(failures[0]) : null;
  // A waiting instance was started and goes on by itself: the webhook did its part.
  if (started.some((run) => run.status === 'completed' || run.status === 'waiting')) return { status: 'processed', reason, recordIds };
  return { status: 'received', reason, recordIds };
}

/**
 * The row of an instance after its first run. Its state is kept while it waits and after it
 * failed (a retry goes on from the failed step); a completed one keeps only its trace.
 */
export function newInstance(
  origin: Pick<ProcessInstance, 'id' | 'tenantId' | 'webhookId' | 'processId'> & { version: number; source: ProcessSource | null },
  outcome: RunOutcome,
  startedAt: Date,
  started: Pick<ProcessInstance, 'trigger' | 'payload'> = { trigger: null, payload: null },
): ProcessInstance {
  const waiting = outcome.status === 'waiting';
  const now = new Date();
  return Object.assign(new ProcessInstance(), {
    id: origin.id,
    tenantId: origin.tenantId,
    webhookId: origin.webhookId,
    processId: origin.processId,
    processVersion: origin.version,
    processSource: origin.source,
    ...started,
    status: outcome.status,
    errorCode: outcome.error?.code ?? null,
    reason: outcome.error?.message ?? null,
    trace: outcome.trace,
    recordIds: outcome.recordIds,
    startedAt,
    finishedAt: waiting ? null : now,
    seq: 0,
    state: waiting || outcome.status === 'failed' ? outcome.state : null,
    waits: waiting ? outcome.waits : null,
    wakeAt: waiting ? earliestDue(outcome.waits) : null,
    resumption: null,
    resumedBy: null,
    updatedAt: now,
  });
}

export function failedOutcome(error: AppError): RunOutcome {
  return { status: 'failed', error, trace: [], recordIds: [], plannedWrites: [], writes: [], waits: [], calls: [], state: null };
}

/**
 * Why a run failed, saying first what it wrote before: records stay when a later step fails
 * (each write is its own), so "kept without a record" would be untrue.
 */
function failureReason(run: Pick<ProcessInstance, 'reason' | 'recordIds'> & Partial<Pick<ProcessInstance, 'trace'>>): string | null {
  if (run.recordIds.length === 0) return run.reason;
  const trace = run.trace ?? [];
  const writes = trace.flatMap((entry) => {
    const output = entry.status === 'ok' ? (entry.output as { object?: unknown; recordId?: unknown; action?: unknown } | null) : null;
    if (typeof output?.object !== 'string' || typeof output.recordId !== 'string') return [];
    return [`${output.action === 'updated' ? 'updated' : 'created'} ${output.object} ${output.recordId}`];
  });
  const written = writes.length > 0 ? writes.join(', ') : `wrote ${run.recordIds.length === 1 ? 'record' : 'records'} ${run.recordIds.join(', ')}`;
  const failedStep = trace.find((entry) => entry.status === 'failed')?.step;
  const sentence = `${written}, then failed${failedStep ? ` at step "${failedStep}"` : ''}: ${run.reason ?? 'unknown error'}`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** The webhook parameters a run took as column values (the map-parameters steps' traces). */
function mappedParameters(trace: TraceEntry[]): Set<string> {
  const mapped = new Set<string>();
  for (const entry of trace) {
    if (entry.type !== 'map-parameters' || entry.status !== 'ok') continue;
    const output = entry.output as { mapped?: string[]; lookupsByName?: string[] } | null;
    for (const name of [...(output?.mapped ?? []), ...(output?.lookupsByName ?? [])]) mapped.add(name);
  }
  return mapped;
}
