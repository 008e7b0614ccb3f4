import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { ApprovalTask } from './approval-task.entity.js';
import { ApprovalTasksRepository, type TaskFilter } from './approval-tasks.repository.js';

/** A task as the inbox, the admin API and the CLI show it. */
export type TaskView = Omit<ApprovalTask, 'tenantId' | 'createdAt' | 'dueAt' | 'decidedAt'> & {
  createdAt: string;
  dueAt: string | null;
  decidedAt: string | null;
};

/** The user tasks of a tenant (wait-for-approval), as people read them; deciding is ApprovalTasks' (pipeline). */
@Injectable()
export class TasksService {
  constructor(private readonly tasks: ApprovalTasksRepository) {}

  /** Newest first, e.g. the open ones (the inbox). */
  async list(tenantId: string, filter: TaskFilter, limit: number): Promise<TaskView[]> {
    return (await this.tasks.list(tenantId, filter, limit)).map(toTaskView);
  }

  async get(tenantId: string, id: string): Promise<TaskView> {
    return toTaskView(await this.find(tenantId, id));
  }

  async find(tenantId: string, id: string): Promise<ApprovalTask> {
    const task = await this.tasks.get(tenantId, id);
    if (!task) throw new AppError(ErrorCode.NotFound, `Task ${id} does not exist in this tenant`);
    return task;
  }

  countOpen(tenantId: string): Promise<number> {
    return this.tasks.countOpen(tenantId);
  }
}

export function toTaskView({ tenantId: _tenant, ...task }: ApprovalTask): TaskView {
  return { ...task, createdAt: task.createdAt.toISOString(), dueAt: task.dueAt?.toISOString() ?? null, decidedAt: task.decidedAt?.toISOString() ?? null };
}
