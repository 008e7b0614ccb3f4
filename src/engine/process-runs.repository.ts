import { Injectable } from '@nestjs/common';
import { DataSource, Repository, type QueryDeepPartialEntity } from 'typeorm';
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

  listByWebhook(tenantId: string, webhookId: string): Promise<ProcessRun[]> {
    return this.runs.find({ where: { tenantId, webhookId }, order: { startedAt: 'ASC' } });
  }
}
