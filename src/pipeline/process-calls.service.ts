import { Injectable, Logger } from '@nestjs/common';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import { EffectiveProcesses, type StartedProcess } from '../engine/effective-processes.js';
import { chainDepth, type InstanceTrigger, type ProcessCall } from '../engine/instance-state.js';
import { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { PipelineEvents } from './pipeline-events.js';
import { WebhookQueue } from './webhook-queue.js';

type Caller = Pick<ProcessInstance, 'id' | 'tenantId' | 'trigger'>;

/**
 * An instance another instance starts (call-process, a record trigger): stored `running` with
 * its `$` (payload) before the starting instance is stored, then run by a resume job.
 */
export function startingInstance(
  start: { id: string; tenantId: string; process: StartedProcess; payload: Record<string, unknown>; at: Date },
  trigger: InstanceTrigger,
): ProcessInstance {
  return Object.assign(new ProcessInstance(), {
    id: start.id,
    tenantId: start.tenantId,
    webhookId: null,
    processId: start.process.definition.id,
    processVersion: start.process.definition.version,
    processSource: start.process.source,
    trigger,
    payload: start.payload,
    status: 'running',
    errorCode: null,
    reason: null,
    trace: [],
    recordIds: [],
    startedAt: start.at,
    finishedAt: null,
    seq: 0,
    state: null,
    waits: null,
    wakeAt: null,
    resumption: null,
    resumedBy: null,
    updatedAt: start.at,
  });
}

/**
 * call-process: starts the instances that steps call, and tells a waiting caller when the
 * instance it called has ended. A called instance is stored `running` before its caller is
 * stored, and run by a resume job (the sweeper queues it again if Redis loses it); its id
 * derives from the caller and the step, so a call made twice starts one instance. The caller
 * and the called instance each look at the other after storing themselves, so however they
 * interleave the caller is resumed once.
 */
@Injectable()
export class ProcessCalls {
  private readonly logger = new Logger(ProcessCalls.name);

  constructor(
    private readonly processes: EffectiveProcesses,
    private readonly instances: ProcessInstancesRepository,
    private readonly correlation: CorrelationRepository,
    private readonly queue: WebhookQueue,
    private readonly events: PipelineEvents,
  ) {}

  /** Depth of the caller: how many instances started it (calls, record triggers), 0 for one a webhook or schedule started. */
  static depthOf(caller: Pick<ProcessInstance, 'trigger'>): number {
    return chainDepth(caller.trigger);
  }

  async start(caller: Caller, calls: ProcessCall[]): Promise<void> {
    if (calls.length === 0) return;
    const effective = await this.processes.forTenant(caller.tenantId);
    const now = new Date();
    const children: ProcessInstance[] = [];
    for (const call of calls) {
      const found = effective.find((entry) => entry.process.definition.id === call.processId);
      if (!found) {
        this.logger.warn(`Instance ${caller.id} calls "${call.processId}", which the tenant no longer has`);
        continue;
      }
      children.push(
        startingInstance(
          { id: call.childId, tenantId: caller.tenantId, process: { ...found.process, source: found.source }, payload: call.payload, at: now },
          { type: 'process', parentId: caller.id, step: call.step, depth: ProcessCalls.depthOf(caller) + 1 },
        ),
      );
    }
    await this.instances.insert(children);
    await this.queue.addResumes(children.map((child) => ({ tenantId: child.tenantId, instanceId: child.id, seq: 0 })));
  }

  /** A called instance has been stored: if it has ended and its caller waits for it, the caller goes on. */
  async ended(child: Pick<ProcessInstance, 'id' | 'tenantId' | 'trigger'>): Promise<void> {
    if (child.trigger?.type !== 'process') return;
    const [caller, stored] = await Promise.all([this.instances.get(child.tenantId, child.trigger.parentId), this.instances.get(child.tenantId, child.id)]);
    if (caller && stored) await this.resumeCaller(caller, stored);
  }

  /** A caller has been stored waiting: the instances it waits for that have ended already. */
  async parked(caller: Pick<ProcessInstance, 'id' | 'tenantId' | 'waits'>): Promise<void> {
    for (const wait of caller.waits ?? []) {
      if (wait.kind !== 'process') continue;
      const child = await this.instances.get(caller.tenantId, wait.childId);
      if (child && (child.status === 'completed' || child.status === 'failed')) {
        const fresh = await this.instances.get(caller.tenantId, caller.id);
        if (fresh) await this.resumeCaller(fresh, child);
        return;
      }
    }
  }

  private async resumeCaller(caller: ProcessInstance, child: ProcessInstance): Promise<void> {
    if (caller.status !== 'waiting' || (child.status !== 'completed' && child.status !== 'failed')) return;
    const wait = caller.waits?.find((one) => one.kind === 'process' && one.childId === child.id);
    if (!wait) return;
    const at = new Date().toISOString();
    const resumption =
      child.status === 'completed'
        ? {
            by: 'process' as const,
            at,
            resolved: { [wait.step]: { instanceId: child.id, status: child.status, steps: child.state?.outputs ?? {}, vars: child.state?.vars ?? {} } },
          }
        : {
            by: 'process' as const,
            at,
            failed: {
              [wait.step]: {
                code: child.errorCode ?? 'PROCESS_FAILED',
                message: `Process "${child.processId}" (instance ${child.id}) failed: ${child.reason ?? 'unknown error'}`,
              },
            },
          };
    const won = await this.instances.claim(caller.id, ['waiting'], caller.seq, { status: 'running', resumption, wakeAt: null });
    if (!won) return;
    await this.correlation.removeForInstance(caller.id);
    await this.queue.addResumes([{ tenantId: caller.tenantId, instanceId: caller.id, seq: caller.seq + 1 }]);
    this.events.instanceResumed({ by: 'process' });
  }
}
