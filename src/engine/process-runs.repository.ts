import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';
import type { RunStatus } from './process-runner.js';
import { ProcessRun } from './process-run.entity.js';

@Injectable()
export class ProcessRunsRepository {
  private readonly runs: Repository<ProcessRun>;

  constructor(dataSource: DataSource) {
    this.runs = dataSource.getRepository(ProcessRun);
  }

  async insert(runs: ProcessRun[]): Promise<void> {
    // Ids are derived from the job attempt, so a repeated attempt does not store its runs twice.
    if (runs.length > 0) await this.runs.createQueryBuilder().insert().into(ProcessRun).values(runs as QueryDeepPartialEntity<ProcessRun>[]).orIgnore().execute();
  }

  list(tenantId: string, filter: { status?: RunStatus; processId?: string }, limit: number): Promise<ProcessRun[]> {
    // Only the filters given: TypeORM refuses undefined in a where.
    const where: FindOptionsWhere<ProcessRun> = { tenantId };
    if (filter.status) where.status = filter.status;
    if (filter.processId) where.processId = filter.processId;
    return this.runs.find({ where, order: { startedAt: 'DESC' }, take: limit });
  }

  async deleteByWebhooks(webhookIds: string[]): Promise<void> {
    if (webhookIds.length > 0) await this.runs.delete({ webhookId: In(webhookIds) });
  }

  listByWebhook(tenantId: string, webhookId: string): Promise<ProcessRun[]> {
    return this.runs.find({ where: { tenantId, webhookId }, order: { startedAt: 'ASC' } });
  }
}
