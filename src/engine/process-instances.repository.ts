import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { LIVE_STATUSES, TIMER_EARLY_MS, type InstanceStatus, type Wait } from './instance-state.js';
import { ProcessInstance } from './process-instance.entity.js';
import { Webhook, type WebhookStatus } from '../webhooks/webhook.entity.js';
import { StatementBatcher } from '../database/statement-batcher.js';
import { updateReturning } from '../database/update-returning.js';
import { inOneSqliteTransaction } from '../database/sqlite-lock-wait.js';

interface DueClaim {
  tenantId: string;
  id: string;
  seq: number;
}

/** What an ended resumption stores: nothing waits any more. */
export type EndedChanges = Pick<ProcessInstance, 'status' | 'errorCode' | 'reason' | 'trace' | 'recordIds' | 'state'> & { finishedAt: Date };

interface EndedRun {
  id: string;
  seq: number;
  changes: EndedChanges;
  webhook: WebhookEnd;
}

/**
 * The ended runs (a JSON array, $1) stored where each is still running at its seq, and the log
 * entry of each stored one given its outcome while the entry still names that run alone.
 * Answers the ids of the runs stored.
 */
const ENDED_RUNS_SQL = `
WITH ended AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(
    id varchar, seq integer, status varchar, error_code varchar, reason text, trace text, record_ids text, state text,
    finished_at timestamptz, tenant_id varchar, webhook_id varchar, webhook_status varchar, webhook_reason text,
    webhook_record_ids text, run_ids text)
), run AS (
  UPDATE process_instances AS i
  SET status = e.status, error_code = e.error_code, reason = e.reason, trace = e.trace, record_ids = e.record_ids,
      state = e.state, waits = NULL, wake_at = NULL, resumption = NULL, finished_at = e.finished_at, updated_at = $2
  FROM ended e
  WHERE i.id = e.id AND i.seq = e.seq AND i.status = 'running'
  RETURNING i.id
), webhook AS (
  UPDATE webhooks AS w
  SET status = e.webhook_status, reason = e.webhook_reason, record_ids = e.webhook_record_ids, processed_at = $2, next_attempt_at = NULL
  FROM ended e JOIN run ON run.id = e.id
  WHERE w.tenant_id = e.tenant_id AND w.id = e.webhook_id AND w.run_ids = e.run_ids
)
SELECT id FROM run`;

/** What a webhook's log entry says once its runs ended. */
export interface WebhookEnd {
  tenantId: string;
  id: string;
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
}

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

  private readonly dueClaims = new StatementBatcher<DueClaim, ProcessInstance | null>(
    (claims) => this.claimDueMany(claims),
    async (claim) => (await this.claimDueMany([claim]))[0],
  );
  private readonly endedRuns = new StatementBatcher<EndedRun, boolean>(
    (runs) => this.saveEndedMany(runs),
    async (run) => (await this.saveEndedMany([run]))[0],
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

  /** Status, timeline and waits of a process's instances started in a period, newest first (the diagram's counts). */
  paths(tenantId: string, processId: string, from: Date, to: Date, limit: number): Promise<Array<Pick<ProcessInstance, 'status' | 'trace' | 'waits'>>> {
    return this.instances
      .createQueryBuilder('instance')
      .select(['instance.status', 'instance.trace', 'instance.waits'])
      .where('instance.tenant_id = :tenantId AND instance.process_id = :processId AND instance.started_at >= :from AND instance.started_at < :to', {
        tenantId,
        processId,
        from,
        to,
      })
      .orderBy('instance.started_at', 'DESC')
      .take(limit)
      .getMany();
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
   * A timer's claim: the instance, if it still waits at `seq` and is due (TIMER_EARLY_MS), becomes
   * running (seq bumped). Answers the instance as claimed, read by the claim itself, or null
   * when there was nothing to claim (the caller reads the instance to tell why). The claims of
   * timers that fire together go in one statement.
   */
  claimDue(tenantId: string, id: string, seq: number): Promise<ProcessInstance | null> {
    return this.dueClaims.send({ tenantId, id, seq });
  }

  private async claimDueMany(claims: DueClaim[]): Promise<Array<ProcessInstance | null>> {
    const now = new Date();
    const keys = claims.map((_, i) => `(:tenant${i}, :id${i}, :seq${i})`).join(', ');
    const parameters = Object.fromEntries(
      claims.flatMap((claim, i) => [
        [`tenant${i}`, claim.tenantId],
        [`id${i}`, claim.id],
        [`seq${i}`, claim.seq],
      ]),
    );
    const update = this.instances
      .createQueryBuilder()
      .update(ProcessInstance)
      .set({ status: 'running', resumption: { by: 'timer', at: now.toISOString() }, wakeAt: null, seq: () => 'seq + 1', updatedAt: now })
      .where(`status = 'waiting' AND wake_at <= :dueBy AND (tenant_id, id, seq) IN (${keys})`, {
        dueBy: new Date(now.getTime() + TIMER_EARLY_MS),
        ...parameters,
      });
    const claimed = new Map((await updateReturning(this.instances, update)).map((row) => [row.id, row]));
    // A row goes to one claim only, should two jobs claim the same instance at the same seq.
    return claims.map(({ id }) => {
      const row = claimed.get(id) ?? null;
      claimed.delete(id);
      return row;
    });
  }

  /** Stores what a resumed run did, unless the instance was cancelled (or moved on) meanwhile. */
  async saveRun(id: string, seq: number, changes: InstanceChanges): Promise<boolean> {
    const result = await this.runUpdate(id, seq, changes).execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * saveRun for the only run of a webhook, with the webhook's outcome: the log entry is updated
   * only if the run was stored (and the webhook was not replayed meanwhile). On PostgreSQL the
   * runs that end together are stored with their log entries in one statement.
   */
  saveRunWithWebhook(id: string, seq: number, changes: EndedChanges, webhook: WebhookEnd): Promise<boolean> {
    return this.endedRuns.send({ id, seq, changes, webhook });
  }

  private async saveEndedMany(runs: EndedRun[]): Promise<boolean[]> {
    if (this.dataSource.options.type !== 'postgres') {
      // The runs and their log entries in one transaction, so a crash cannot leave an entry behind its run.
      const statements = runs.map(({ id, seq, changes, webhook }) => ({
        run: this.runUpdate(id, seq, { ...changes, waits: null, wakeAt: null, resumption: null }).getQueryAndParameters(),
        webhook: this.webhookOutcome(webhook)
          .andWhere('run_ids = :runIds', { runIds: JSON.stringify([id]) })
          .getQueryAndParameters(),
      }));
      return inOneSqliteTransaction(this.dataSource, (run) =>
        statements.map((statement) => {
          const stored = run(...statement.run) > 0;
          if (stored) run(...statement.webhook);
          return stored;
        }),
      );
    }
    // One JSON parameter holds every row; simple-json columns are text, written as TypeORM would.
    const rows = runs.map(({ id, seq, changes, webhook }) => ({
      id,
      seq,
      status: changes.status,
      error_code: changes.errorCode,
      reason: changes.reason,
      trace: JSON.stringify(changes.trace),
      record_ids: JSON.stringify(changes.recordIds),
      state: changes.state === null ? null : JSON.stringify(changes.state),
      finished_at: changes.finishedAt.toISOString(),
      tenant_id: webhook.tenantId,
      webhook_id: webhook.id,
      webhook_status: webhook.status,
      webhook_reason: webhook.reason,
      webhook_record_ids: JSON.stringify(webhook.recordIds),
      run_ids: JSON.stringify([id]),
    }));
    const stored: Array<{ id: string }> = await this.dataSource.query(ENDED_RUNS_SQL, [JSON.stringify(rows), new Date()]);
    const ids = new Set(stored.map((row) => row.id));
    return runs.map((run) => ids.has(run.id));
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
