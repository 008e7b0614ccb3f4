import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { LIVE_STATUSES, type InstanceStatus, type Wait } from './instance-state.js';
import { ProcessInstance } from './process-instance.entity.js';
import { Webhook, type WebhookStatus } from '../webhooks/webhook.entity.js';

/** What a webhook's log entry says once its runs ended. */
export interface WebhookEnd {
  tenantId: string;
  id: string;
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
}
import { StatementBatcher } from '../database/statement-batcher.js';
import { updateReturning } from '../database/update-returning.js';

@Injectable()
export class ProcessInstancesRepository {
  private readonly instances: Repository<ProcessInstance>;
  // Runs that end at the same time are stored, with their log entries, in one statement.
  private readonly finished = new StatementBatcher<{ run: ProcessInstance; webhook: Webhook }, void>(
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
    this.instances = dataSource.getRepository(ProcessInstance);
  }

  /**
   * Stores a webhook's only run and its log entry with its outcome (inserted, or updated when an
   * earlier attempt wrote it as queued). Those of runs that end at the same time are written
   * together, and on PostgreSQL in one statement, so one round trip and one commit: the runs'
   * insert is a data-modifying CTE of the webhooks' upsert.
   */
  insertWithWebhook(run: ProcessInstance, webhook: Webhook): Promise<void> {
    return this.finished.send({ run, webhook });
  }

  private async writeFinished(runs: ProcessInstance[], webhooks: Webhook[]): Promise<void> {
    const [runSql, runParameters] = this.instances
      .createQueryBuilder()
      .insert()
      .into(ProcessInstance)
      .values(runs as QueryDeepPartialEntity<ProcessInstance>[])
      .orIgnore()
      .getQueryAndParameters();
    const [webhookSql, webhookParameters] = this.dataSource
      .getRepository(Webhook)
      .createQueryBuilder()
      .insert()
      .into(Webhook)
      .values(webhooks as QueryDeepPartialEntity<Webhook>[])
      .orUpdate(['status', 'reason', 'record_ids', 'resumed_ids', 'processed_at'], ['id'])
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

  async insert(runs: ProcessInstance[]): Promise<void> {
    // Ids are derived from the job attempt, so a repeated attempt does not store its runs twice.
    if (runs.length > 0)
      await this.instances
        .createQueryBuilder()
        .insert()
        .into(ProcessInstance)
        .values(runs as QueryDeepPartialEntity<ProcessInstance>[])
        .orIgnore()
        .execute();
  }

  get(tenantId: string, id: string): Promise<ProcessInstance | null> {
    return this.instances.findOneBy({ tenantId, id });
  }

  /** Newest first. `waitingFor` matches the kind of any of an instance's waits. */
  list(tenantId: string, filter: InstanceFilter, limit: number): Promise<ProcessInstance[]> {
    const query = this.instances.createQueryBuilder('instance').where('instance.tenant_id = :tenantId', { tenantId });
    if (filter.status) query.andWhere('instance.status = :status', { status: filter.status });
    if (filter.processId) query.andWhere('instance.process_id = :processId', { processId: filter.processId });
    if (filter.webhookId) query.andWhere('instance.webhook_id = :webhookId', { webhookId: filter.webhookId });
    if (filter.startedFrom) query.andWhere('instance.started_at >= :from', { from: filter.startedFrom });
    if (filter.startedTo) query.andWhere('instance.started_at < :to', { to: filter.startedTo });
    if (filter.waitingFor) {
      query.andWhere("instance.status = 'waiting' AND instance.waits LIKE :kind", { kind: `%"kind":"${filter.waitingFor}"%` });
    }
    return query.orderBy('instance.started_at', 'DESC').addOrderBy('instance.id', 'DESC').take(limit).getMany();
  }

  /**
   * Moves an instance on from one of the statuses, if nothing else moved it since it was read
   * (its seq is still `seq`); the seq is bumped. Answers whether this claim won.
   */
  async claim(id: string, from: readonly InstanceStatus[], seq: number, changes: InstanceChanges): Promise<boolean> {
    const result = await this.instances
      .createQueryBuilder()
      .update(ProcessInstance)
      .set({ ...changes, seq: seq + 1, updatedAt: new Date() } as QueryDeepPartialEntity<ProcessInstance>)
      .where('id = :id AND seq = :seq AND status IN (:...from)', { id, seq, from })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * A timer's claim: the instance, if it still waits at `seq` and is due by `dueBy`, becomes
   * running (seq bumped). Answers the instance as claimed, read by the claim itself, or null
   * when there was nothing to claim (the caller reads the instance to tell why).
   */
  async claimDue(tenantId: string, id: string, seq: number, dueBy: Date, changes: InstanceChanges): Promise<ProcessInstance | null> {
    const update = this.instances
      .createQueryBuilder()
      .update(ProcessInstance)
      .set({ ...changes, seq: seq + 1, updatedAt: new Date() } as QueryDeepPartialEntity<ProcessInstance>)
      .where("tenant_id = :tenantId AND id = :id AND seq = :seq AND status = 'waiting' AND wake_at <= :dueBy", { tenantId, id, seq, dueBy });
    const [claimed] = await updateReturning(this.instances, update);
    return claimed ?? null;
  }

  /** Stores what a resumed run did, unless the instance was cancelled (or moved on) meanwhile. */
  async saveRun(id: string, seq: number, changes: InstanceChanges): Promise<boolean> {
    const result = await this.runUpdate(id, seq, changes).execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * saveRun for the only run of a webhook, with the webhook's outcome: the log entry is updated
   * only if the run was stored, on PostgreSQL in the same statement (the run's update is a
   * data-modifying CTE), so an ended resumption costs one round trip.
   */
  async saveRunWithWebhook(id: string, seq: number, changes: InstanceChanges, webhook: WebhookEnd): Promise<boolean> {
    // Unless a replay gave the webhook other runs meanwhile.
    const outcome = this.webhookOutcome(webhook).andWhere('run_ids = :runIds', { runIds: JSON.stringify([id]) });
    if (this.dataSource.options.type !== 'postgres') {
      const stored = await this.saveRun(id, seq, changes);
      if (stored) await outcome.execute();
      return stored;
    }
    const [runSql, runParameters] = this.runUpdate(id, seq, changes).getQueryAndParameters();
    const [webhookSql, webhookParameters] = outcome.andWhere('EXISTS (SELECT 1 FROM run)').getQueryAndParameters();
    // The webhook's placeholders follow the run's.
    const shifted = webhookSql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + runParameters.length}`);
    const rows: Array<{ stored: number | string }> = await this.dataSource.query(
      `WITH run AS (${runSql} RETURNING 1), webhook AS (${shifted}) SELECT COUNT(*) AS stored FROM run`,
      [...runParameters, ...webhookParameters],
    );
    return Number(rows[0]?.stored) > 0;
  }

  private runUpdate(id: string, seq: number, changes: InstanceChanges) {
    return this.instances
      .createQueryBuilder()
      .update(ProcessInstance)
      .set({ ...changes, updatedAt: new Date() } as QueryDeepPartialEntity<ProcessInstance>)
      .where("id = :id AND seq = :seq AND status = 'running'", { id, seq });
  }

  private webhookOutcome({ tenantId, id, status, reason, recordIds }: WebhookEnd) {
    return this.dataSource
      .getRepository(Webhook)
      .createQueryBuilder()
      .update(Webhook)
      .set({ status, reason, recordIds, processedAt: new Date(), nextAttemptAt: null } as QueryDeepPartialEntity<Webhook>)
      .where('tenant_id = :tenantId AND id = :id', { tenantId, id });
  }

  /** Waiting instances due before a time, soonest first, across tenants (the sweeper). */
  due(before: Date, limit: number): Promise<Array<Pick<ProcessInstance, 'id' | 'tenantId' | 'seq' | 'wakeAt'>>> {
    return this.instances
      .createQueryBuilder('instance')
      .select(['instance.id', 'instance.tenantId', 'instance.seq', 'instance.wakeAt'])
      .where("instance.status = 'waiting' AND instance.wake_at <= :before", { before })
      .orderBy('instance.wake_at', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Instances claimed to run again but not moved since a time: their job may be gone with Redis. */
  stalled(before: Date, limit: number): Promise<Array<Pick<ProcessInstance, 'id' | 'tenantId' | 'seq'>>> {
    return this.instances
      .createQueryBuilder('instance')
      .select(['instance.id', 'instance.tenantId', 'instance.seq'])
      .where("instance.status = 'running' AND instance.updated_at < :before", { before })
      .take(limit)
      .getMany();
  }

  /** Id, process and status of these instances of the tenant (those that exist). */
  statuses(tenantId: string, ids: string[]): Promise<Array<Pick<ProcessInstance, 'id' | 'processId' | 'status'>>> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.instances.find({ select: { id: true, processId: true, status: true }, where: { tenantId, id: In(ids) } });
  }

  /** The instances a webhook resumed (the last time each was resumed). */
  resumedBy(tenantId: string, webhookId: string): Promise<ProcessInstance[]> {
    return this.instances.findBy({ tenantId, resumedBy: webhookId });
  }

  countByStatus(tenantId: string, status: InstanceStatus): Promise<number> {
    return this.instances.countBy({ tenantId, status });
  }

  /** Instances that have not ended, of every tenant, by tenant, process and status (metrics). */
  async countLive(): Promise<Array<{ tenantId: string; processId: string; status: InstanceStatus; count: number }>> {
    const rows = await this.instances
      .createQueryBuilder('instance')
      .select(['instance.tenant_id AS "tenantId"', 'instance.process_id AS "processId"', 'instance.status AS status', 'COUNT(*) AS count'])
      .where('instance.status IN (:...live)', { live: [...LIVE_STATUSES] })
      .groupBy('instance.tenant_id')
      .addGroupBy('instance.process_id')
      .addGroupBy('instance.status')
      .getRawMany<{ tenantId: string; processId: string; status: InstanceStatus; count: string | number }>();
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  /**
   * Deletes the instances of webhooks (retention), but not those still waiting or running:
   * answers the webhooks that keep a live instance, whose entries stay too.
   */
  async deleteByWebhooks(webhookIds: string[]): Promise<string[]> {
    if (webhookIds.length === 0) return [];
    const live = await this.instances.find({ select: { webhookId: true }, where: { webhookId: In(webhookIds), status: In([...LIVE_STATUSES]) } });
    const kept = [...new Set(live.map((instance) => instance.webhookId!))];
    const gone = webhookIds.filter((id) => !kept.includes(id));
    if (gone.length > 0) await this.instances.delete({ webhookId: In(gone) });
    return kept;
  }

  /** Deletes up to `limit` ended instances no webhook started (a schedule's) that ended before a time; answers how many. */
  async deleteUnattached(statuses: InstanceStatus[], before: Date, limit: number): Promise<number> {
    const old = await this.instances
      .createQueryBuilder('instance')
      .select('instance.id', 'id')
      .where('instance.status IN (:...statuses) AND instance.finished_at < :before AND instance.webhook_id IS NULL', { statuses, before })
      .limit(limit)
      .getRawMany<{ id: string }>();
    if (old.length > 0) await this.instances.delete({ id: In(old.map((row) => row.id)) });
    return old.length;
  }

  /**
   * A webhook's instances, oldest first. Sorted here, not in SQL: with ORDER BY started_at, SQLite
   * reads the tenant's instances through (tenant_id, started_at) instead of the webhook's index —
   * a scan of every instance of the tenant on each resumed run.
   */
  async listByWebhook(tenantId: string, webhookId: string): Promise<ProcessInstance[]> {
    const instances = await this.instances.findBy({ tenantId, webhookId });
    return instances.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id));
  }
}

/** Columns a claim or a stored run changes (the seq and updated_at are the repository's). */
export type InstanceChanges = Partial<Omit<ProcessInstance, 'id' | 'tenantId' | 'seq' | 'updatedAt'>>;

export interface InstanceFilter {
  status?: InstanceStatus;
  processId?: string;
  webhookId?: string;
  waitingFor?: Wait['kind'];
  startedFrom?: Date;
  startedTo?: Date;
}
