import { Inject, Injectable, Logger } from '@nestjs/common';
import { RecordsService } from '../catalogue/records.service.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { EffectiveProcesses, type StartedProcess } from '../engine/effective-processes.js';
import { chainDepth } from '../engine/instance-state.js';
import type { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { evaluate, expressionContext, isTrue, type RecordWrite } from '../engine/step-type.js';
import { startingInstance } from './process-calls.service.js';
import { stableUuid } from './webhook-dispatcher.service.js';
import { WebhookQueue } from './webhook-queue.js';

type Writer = Pick<ProcessInstance, 'id' | 'tenantId' | 'trigger'>;

/**
 * Record triggers: the records an instance created or updated start the tenant's active
 * processes whose trigger is `{ type: "record", object, on }` (and whose condition is true on
 * the record). As call-process does, the started instances are stored `running` before the
 * writing instance is stored, and run by resume jobs; their ids derive from the writer, the step,
 * the record and the process, so a run repeated after a crash starts each once. A chain of
 * instances started by records (A writes a Lead, B updates it, A again…) ends at
 * RECORD_TRIGGER_MAX_DEPTH: the instance past it is stored failed, saying why.
 */
@Injectable()
export class RecordTriggers {
  private readonly logger = new Logger(RecordTriggers.name);

  constructor(
    private readonly processes: EffectiveProcesses,
    private readonly instances: ProcessInstancesRepository,
    private readonly records: RecordsService,
    private readonly queue: WebhookQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(writer: Writer, writes: RecordWrite[]): Promise<void> {
    if (writes.length === 0 || !(await this.processes.hasRecordTriggers(writer.tenantId))) return;
    const started: ProcessInstance[] = [];
    for (const write of writes) {
      const processes = await this.processes.startedByRecord(writer.tenantId, write.object, write.action);
      if (processes.length === 0) continue;
      const record = await this.records.get(writer.tenantId, write.object, write.recordId);
      if (!record) continue;
      for (const process of processes) {
        if (await this.conditionHolds(writer, process, record)) started.push(this.instanceFor(writer, write, process, record));
      }
    }
    if (started.length === 0) return;
    await this.instances.insert(started);
    const running = started.filter((instance) => instance.status === 'running');
    await this.queue.addResumes(running.map((instance) => ({ tenantId: instance.tenantId, instanceId: instance.id, seq: 0 })));
  }

  private instanceFor(writer: Writer, write: RecordWrite, process: StartedProcess, record: Record<string, unknown>): ProcessInstance {
    const depth = chainDepth(writer.trigger) + 1;
    const instance = startingInstance(
      {
        id: stableUuid(`record:${writer.id}:${write.step}:${write.recordId}:${write.action}:${process.definition.id}`),
        tenantId: writer.tenantId,
        process,
        payload: record,
        at: new Date(),
      },
      { type: 'record', object: write.object, recordId: write.recordId, action: write.action, writerId: writer.id, depth },
    );
    if (depth <= this.config.recordTriggerMaxDepth) return instance;
    // A loop of processes writing each other's records, or a chain too long: refused, visibly.
    const reason = `Not started: ${write.object} ${write.recordId} was ${write.action} by an instance ${depth - 1} deep in a chain of processes started by records or calls; at most ${this.config.recordTriggerMaxDepth} are allowed (RECORD_TRIGGER_MAX_DEPTH)`;
    this.logger.warn({ msg: reason, tenantId: writer.tenantId, processId: process.definition.id, writerId: writer.id });
    return Object.assign(instance, { status: 'failed', errorCode: ErrorCode.LimitExceeded, reason, finishedAt: instance.startedAt });
  }

  /** The trigger's condition on the record; one that cannot be evaluated starts nothing (and is logged). */
  private async conditionHolds(writer: Writer, process: StartedProcess, record: Record<string, unknown>): Promise<boolean> {
    if (!process.condition) return true;
    const context = expressionContext({ tenantId: writer.tenantId, webhookId: writer.id, processId: process.definition.id, payload: record, webhook: null });
    try {
      return isTrue(await evaluate(context, process.condition));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.logger.warn({ msg: `Record trigger condition failed: ${error.message}`, tenantId: writer.tenantId, processId: process.definition.id });
      return false;
    }
  }
}
