import { Injectable } from '@nestjs/common';
import { DataSource, In, Not, Repository, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';
import { ApprovalTask, type TaskStatus } from './approval-task.entity.js';

export interface TaskFilter {
  status?: TaskStatus;
  processId?: string;
  instanceId?: string;
}

export type TaskDecision = Pick<ApprovalTask, 'status' | 'decidedAt' | 'decidedBy' | 'comment'>;

/** The user tasks of waiting instances (wait-for-approval), open and decided. */
@Injectable()
export class ApprovalTasksRepository {
  private readonly tasks: Repository<ApprovalTask>;

  constructor(dataSource: DataSource) {
    this.tasks = dataSource.getRepository(ApprovalTask);
  }

  /** Idempotent: an instance parking again at the same step (a parallel branch moved on) keeps its task. */
  async open(tasks: ApprovalTask[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.tasks
      .createQueryBuilder()
      .insert()
      .into(ApprovalTask)
      .values(tasks as QueryDeepPartialEntity<ApprovalTask>[])
      .orIgnore()
      .execute();
  }

  get(tenantId: string, id: string): Promise<ApprovalTask | null> {
    return this.tasks.findOneBy({ tenantId, id });
  }

  /** Newest first. */
  list(tenantId: string, filter: TaskFilter, limit: number): Promise<ApprovalTask[]> {
    const where: FindOptionsWhere<ApprovalTask> = { tenantId };
    if (filter.status) where.status = filter.status;
    if (filter.processId) where.processId = filter.processId;
    if (filter.instanceId) where.instanceId = filter.instanceId;
    return this.tasks.find({ where, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
  }

  countOpen(tenantId: string): Promise<number> {
    return this.tasks.countBy({ tenantId, status: 'open' });
  }

  /** Open tasks of every tenant (the metrics). */
  async countOpenByTenant(): Promise<Array<{ tenantId: string; count: number }>> {
    const rows = await this.tasks
      .createQueryBuilder('task')
      .select(['task.tenant_id AS "tenantId"', 'COUNT(*) AS count'])
      .where("task.status = 'open'")
      .groupBy('task.tenant_id')
      .getRawMany<{ tenantId: string; count: string | number }>();
    return rows.map((row) => ({ tenantId: row.tenantId, count: Number(row.count) }));
  }

  /** Records a decision on a task still open; answers whether it was (another decision may have come first). */
  async decide(id: string, decision: TaskDecision): Promise<boolean> {
    const result = await this.tasks.update({ id, status: 'open' }, decision);
    return (result.affected ?? 0) > 0;
  }

  /** The open tasks of an instance, but those at the steps it still waits at, end with `status` (e.g. timed out). */
  async close(instanceId: string, keepOpen: string[], status: (task: ApprovalTask) => TaskDecision): Promise<void> {
    const where: FindOptionsWhere<ApprovalTask> = { instanceId, status: 'open' };
    if (keepOpen.length > 0) where.step = Not(In(keepOpen));
    for (const task of await this.tasks.findBy(where)) await this.decide(task.id, status(task));
  }
}
