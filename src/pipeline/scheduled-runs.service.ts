import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppError, ErrorCode } from '../common/app-error.js';
import { EffectiveProcesses } from '../engine/effective-processes.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { ProcessRunner, type RunOutcome } from '../engine/process-runner.js';
import { InstanceWaits } from './instance-waits.service.js';
import { ProcessCalls } from './process-calls.service.js';
import { RecordTriggers } from './record-triggers.service.js';
import { InstanceLimits } from './instance-limits.service.js';
import type { ScheduledRunJob } from './job-contracts.js';
import { PipelineEvents } from './pipeline-events.js';
import { stableUuid } from './webhook-dispatcher.service.js';
import { WebhookQueue } from './webhook-queue.js';
import { failedOutcome, newInstance } from './webhook-runner.service.js';

/**
 * Runs a process for one tick of its schedule: one instance per tenant, process and tick (its id
 * and write key derive from them, so a tick's job run twice stores one instance and writes each
 * record once). The process runs as it is now for the tenant; a tick of a process switched off,
 * or no longer scheduled, removes its schedule instead.
 */
@Injectable()
export class ScheduledRuns {
  private readonly logger = new Logger(ScheduledRuns.name);

  constructor(
    private readonly processes: EffectiveProcesses,
    private readonly runner: ProcessRunner,
    private readonly instances: ProcessInstancesRepository,
    private readonly waits: InstanceWaits,
    private readonly queue: WebhookQueue,
    private readonly events: PipelineEvents,
    private readonly calls: ProcessCalls,
    private readonly recordTriggers: RecordTriggers,
    private readonly limits: InstanceLimits,
  ) {}

  async run(job: Job<ScheduledRunJob>, lastAttempt: boolean): Promise<RunOutcome['status'] | 'unscheduled'> {
    const { tenantId, processId } = job.data;
    const effective = (await this.processes.forTenant(tenantId)).find((entry) => entry.process.definition.id === processId);
    if (!effective?.active || effective.process.definition.trigger.type !== 'schedule') {
      await this.queue.removeSchedule(job.data);
      return 'unscheduled';
    }
    const tick = tickOf(job);
    const at = new Date(tick).toISOString();
    const id = stableUuid(`schedule:${tenantId}:${processId}:${tick}`);
    const payload = { scheduledAt: at, processId };
    const startedAt = new Date();
    let outcome: RunOutcome;
    try {
      outcome = await this.runner.run(effective.process, { tenantId, webhookId: id, payload, webhook: null, writeKey: `schedule:${processId}:${tick}` });
    } catch (error) {
      const failure = AppError.from(error) ?? new AppError(ErrorCode.Transient, String(error));
      if (!lastAttempt && failure.retryable) throw failure;
      outcome = failedOutcome(failure);
    }
    outcome = await this.limits.newWait(tenantId, outcome);
    const { version } = effective.process.definition;
    const instance = newInstance({ id, tenantId, webhookId: null, processId, version, source: effective.source }, outcome, startedAt, {
      trigger: { type: 'schedule', at },
      payload,
    });
    await this.calls.start(instance, outcome.calls);
    await this.recordTriggers.start(instance, outcome.writes);
    await this.instances.insert([instance]);
    if (instance.status === 'waiting') await this.waits.park(instance);
    this.events.runStored({ tenantId, processId, status: outcome.status, trace: outcome.trace, recordIds: outcome.recordIds });
    const line = { instanceId: id, tenantId, processId, scheduledAt: at };
    if (outcome.status === 'failed') this.logger.warn({ msg: `Scheduled run failed: ${outcome.error?.message ?? 'unknown error'}`, ...line });
    else this.logger.debug({ msg: `Scheduled run ${outcome.status}`, records: outcome.recordIds.length, ...line });
    return outcome.status;
  }
}

/** The tick a scheduler's job is for: its id is "repeat:<scheduler>:<millis>". */
function tickOf(job: Job): number {
  const millis = Number(String(job.id).split(':').pop());
  return Number.isFinite(millis) && millis > 0 ? millis : job.timestamp;
}
