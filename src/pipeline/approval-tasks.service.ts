import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { MAX_TASK_COMMENT, type ApprovalTask } from '../engine/approval-task.entity.js';
import { ApprovalTasksRepository, type TaskDecision } from '../engine/approval-tasks.repository.js';
import { TasksService, toTaskView, type TaskView } from '../engine/tasks.service.js';
import { CorrelationRepository } from '../engine/correlation.repository.js';
import type { ApprovalOutput, ApprovalWait, InstanceState, Wait } from '../engine/instance-state.js';
import type { ProcessInstance } from '../engine/process-instance.entity.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { PipelineEvents } from './pipeline-events.js';
import { stableUuid } from './webhook-dispatcher.service.js';
import { WebhookQueue } from './webhook-queue.js';

export type Decision = 'approved' | 'rejected';

/**
 * User tasks (wait-for-approval): opened when an instance parks at the step, decided by someone
 * (which claims the instance and resumes it with the decision as the step's output), closed as
 * timed out or cancelled when the instance moves on without a decision.
 */
@Injectable()
export class ApprovalTasks {
  constructor(
    private readonly tasks: ApprovalTasksRepository,
    private readonly views: TasksService,
    private readonly instances: ProcessInstancesRepository,
    private readonly correlation: CorrelationRepository,
    private readonly queue: WebhookQueue,
    private readonly events: PipelineEvents,
  ) {}

  static idOf(instanceId: string, step: string): string {
    return stableUuid(`task:${instanceId}:${step}`);
  }

  /** The tasks of a parked instance's approval waits (those it had already are kept as they are). */
  async open(instance: Pick<ProcessInstance, 'id' | 'tenantId' | 'processId' | 'waits'>): Promise<void> {
    const now = new Date();
    const waits = (instance.waits ?? []).filter((wait): wait is ApprovalWait => wait.kind === 'approval');
    await this.tasks.open(
      waits.map((wait) => ({
        id: ApprovalTasks.idOf(instance.id, wait.step),
        tenantId: instance.tenantId,
        instanceId: instance.id,
        processId: instance.processId,
        step: wait.step,
        title: wait.title,
        details: wait.details ?? null,
        status: 'open',
        createdAt: now,
        dueAt: new Date(wait.timeoutAt),
        decidedAt: null,
        decidedBy: null,
        comment: null,
      })),
    );
  }

  /**
   * After an instance ran on: its tasks at steps it no longer waits at are closed — with the
   * decision its state holds (a decision whose task update was cut short), as timed out, or as
   * cancelled (the instance ended elsewhere, e.g. a parallel branch failed).
   */
  async settle(instance: Pick<ProcessInstance, 'id' | 'waits'>, waits: Wait[], state: InstanceState | null): Promise<void> {
    // Neither waited nor waits for a decision (most instances): it has no open task.
    if (![...(instance.waits ?? []), ...waits].some((wait) => wait.kind === 'approval')) return;
    await this.close(instance.id, waits, state);
  }

  /** A cancelled instance's open tasks. */
  async cancelled(instanceId: string): Promise<void> {
    await this.close(instanceId, [], null);
  }

  private async close(instanceId: string, waits: Wait[], state: InstanceState | null): Promise<void> {
    const pending = waits.filter((wait) => wait.kind === 'approval').map((wait) => wait.step);
    await this.tasks.close(instanceId, pending, (task) => {
      const output = state?.memo[task.step]?.output as ApprovalOutput | undefined;
      if (output?.decision) return { status: output.decision, decidedAt: new Date(output.at), decidedBy: output.by, comment: output.comment };
      const status = output?.timedOut ? 'timed-out' : 'cancelled';
      this.events.taskClosed({ status });
      return { status, decidedAt: new Date(), decidedBy: null, comment: null };
    });
  }

  /**
   * Approves or rejects an open task: the instance is claimed with the decision as the step's
   * output and queued to run on. 409 CONFLICT when the task was decided already, or when its
   * instance is not waiting at that step right now (running on a parallel branch: decide again
   * in a moment).
   */
  async decide(tenantId: string, taskId: string, decision: Decision, by: string, comment: string | null): Promise<TaskView> {
    if (comment && comment.length > MAX_TASK_COMMENT) throw new AppError(ErrorCode.InvalidArgument, `comment: at most ${MAX_TASK_COMMENT} characters`);
    const task = await this.find(tenantId, taskId);
    if (task.status !== 'open') throw this.decided(task);
    const instance = await this.instances.get(tenantId, task.instanceId);
    const waitsHere = instance?.status === 'waiting' && (instance.waits ?? []).some((wait) => wait.kind === 'approval' && wait.step === task.step);
    if (!instance || !waitsHere) {
      const where = instance ? `is ${instance.status}` : 'no longer exists';
      throw new AppError(ErrorCode.Conflict, `Task ${taskId}: its instance ${task.instanceId} ${where}, not waiting at "${task.step}"; look at it again`);
    }
    const at = new Date();
    const output: ApprovalOutput = { timedOut: false, decision, by, at: at.toISOString(), comment };
    const won = await this.instances.claim(instance.id, ['waiting'], instance.seq, {
      status: 'running',
      resumption: { by: 'approval', at: output.at, resolved: { [task.step]: output } },
      wakeAt: null,
    });
    if (!won) {
      const again = await this.find(tenantId, taskId);
      if (again.status !== 'open') throw this.decided(again);
      throw new AppError(ErrorCode.Conflict, `Task ${taskId}: its instance moved on while the decision was made; look at it again`);
    }
    const decided: TaskDecision = { status: decision, decidedAt: at, decidedBy: by, comment };
    await this.tasks.decide(task.id, decided);
    if (instance.waits?.some((wait) => wait.kind === 'webhook')) await this.correlation.removeForInstance(instance.id);
    await this.queue.addResumes([{ tenantId, instanceId: instance.id, seq: instance.seq + 1 }]);
    this.events.instanceResumed({ by: 'approval' });
    this.events.taskClosed({ status: decision });
    return toTaskView({ ...task, ...decided });
  }

  private find(tenantId: string, id: string): Promise<ApprovalTask> {
    return this.views.find(tenantId, id);
  }

  private decided(task: ApprovalTask): AppError {
    const by = task.decidedBy ? ` by ${task.decidedBy}` : '';
    return new AppError(ErrorCode.Conflict, `Task ${task.id} is ${task.status}${by} already`);
  }
}
