import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';
import type { RunStatus } from './process-runner.js';
import { ProcessRun } from './process-run.entity.js';
import { Webhook } from '../webhooks/webhook.entity.js';
import { WriteBatcher } from '../database/write-batcher.js';

@Injectable()
export class ProcessRunsRepository {
  private readonly runs: Repository<ProcessRun>;
  // Runs that end at the same time are stored, with their log entries, in one statement.
  private readonly finished = new WriteBatcher<{ run: ProcessRun; webhook: Webhook }, void>(
    async (items) => {
      await this.writeFinished(
        items.map((item) => item.run),
        items.map((item) => item.webhook),
      );
      return items.map(() => undefined);
    },
    (item) => this.writeFinished([item.run], [item.webhook]),
  );

  constructor(private readonly dataSource: DataSource) {
    this.runs = dataSource.getRepository(ProcessRun);
  }

  /**
   * Stores a webhook's only run and its log entry with its outcome (inserted, or updated when an
   * earlier attempt wrote it as queued). Those of runs that end at the same time are written
   * together, and on PostgreSQL in one statement, so one round trip and one commit: the runs'
   * insert is a data-modifying CTE of the webhooks' upsert.
   */
  insertWithWebhook(run: ProcessRun, webhook: Webhook): Promise<void> {
    return this.finished.write({ run, webhook });
  }

  private async writeFinished(runs: ProcessRun[], webhooks: Webhook[]): Promise<void> {
    const [runSql, runParameters] = this.runs
      .createQueryBuilder()
      .insert()
      .into(ProcessRun)
      .values(runs as QueryDeepPartialEntity<ProcessRun>[])
      .orIgnore()
      .getQueryAndParameters();
    const [webhookSql, webhookParameters] = this.dataSource
      .getRepository(Webhook)
      .createQueryBuilder()
      .insert()
      .into(Webhook)
      .values(webhooks as QueryDeepPartialEntity<Webhook>[])
      .orUpdate(['status', 'reason', 'record_ids', 'processed_at'], ['id'])
      .getQueryAndParameters();
    if (this.dataSource.options.type !== 'postgres') {
      await this.dataSource.query(runSql, runParameters);
      await this.dataSource.query(webhookSql, webhookParameters);
      return;
    }
    // The webhooks' placeholders follow the runs'.
    const shifted = webhookSql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + runParameters.length}`);
    await this.dataSource.query(`WITH run AS (${runSql}) ${shifted}`, [...runParameters, ...webhookParameters]);
  }

  async insert(runs: ProcessRun[]): Promise<void> {
    // Ids are derived from the job attempt, so a repeated attempt does not store its runs twice.
    if (runs.length > 0)
      await this.runs
        .createQueryBuilder()
        .insert()
        .into(ProcessRun)
        .values(runs as QueryDeepPartialEntity<ProcessRun>[])
        .orIgnore()
        .execute();
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
