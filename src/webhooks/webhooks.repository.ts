import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository } from 'typeorm';
import { insertOnce } from '../database/insert-once.js';
import { StatementBatcher } from '../database/statement-batcher.js';
import { Webhook, WebhookStatus } from './webhook.entity.js';

export interface WebhookFilter {
  ids?: string[];
  status?: WebhookStatus;
  apiKeyId?: string;
  from?: Date;
  to?: Date;
}

@Injectable()
export class WebhooksRepository {
  private readonly webhooks: Repository<Webhook>;
  // Entries that concurrent jobs read at about the same time (resumed instances, runs) come in one statement.
  private readonly reads = new StatementBatcher<{ tenantId: string; id: string }, Webhook | null>(
    async (keys) => {
      const found = new Map((await this.webhooks.findBy({ id: In([...new Set(keys.map((key) => key.id))]) })).map((row) => [row.id, row]));
      const given = new Set<string>();
      // Only an entry of the reader's own tenant; a second reader of the same entry gets a copy of its own.
      return keys.map(({ tenantId, id }) => {
        const row = found.get(id);
        if (row?.tenantId !== tenantId) return null;
        if (given.has(id)) return this.webhooks.create(structuredClone(row));
        given.add(id);
        return row;
      });
    },
    ({ tenantId, id }) => this.webhooks.findOneBy({ tenantId, id }),
  );

  constructor(dataSource: DataSource) {
    this.webhooks = dataSource.getRepository(Webhook);
  }

  /** Inserts the log entry unless a previous attempt of the same job already did; answers whether it did. */
  insertOnce(webhook: Webhook): Promise<boolean> {
    return insertOnce(this.webhooks, webhook);
  }

  async finish(
    tenantId: string,
    id: string,
    outcome: { status: WebhookStatus; reason: string | null; recordIds: string[]; processedAt: Date; nextAttemptAt: null },
  ): Promise<void> {
    await this.webhooks.update({ tenantId, id }, outcome);
  }

  /** An attempt failed: the entry says why and when the next one is, unless the webhook finished meanwhile. */
  async noteRetry(tenantId: string, id: string, reason: string, nextAttemptAt: Date): Promise<void> {
    await this.webhooks.update({ tenantId, id, status: 'queued' }, { reason, nextAttemptAt });
  }

  /** How many entries match (bulk replays report their total). */
  count(tenantId: string, filter: WebhookFilter): Promise<number> {
    return this.filtered(tenantId, filter).getCount();
  }

  /** Ids of entries of a status received before a time, oldest first, across tenants. */
  async oldest(status: WebhookStatus, before: Date, limit: number): Promise<string[]> {
    const old = await this.webhooks
      .createQueryBuilder('webhook')
      .select('webhook.id', 'id')
      .where('webhook.status = :status AND webhook.received_at < :before', { status, before })
      .orderBy('webhook.received_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return old.map((row) => row.id);
  }

  async deleteByIds(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.webhooks.delete({ id: In(ids) });
  }

  /** A replay: the webhook waits for these new runs. */
  async setReplayRunIds(tenantId: string, id: string, runIds: string[]): Promise<void> {
    await this.webhooks.update({ tenantId, id }, { runIds, status: 'queued', processedAt: null, nextAttemptAt: null });
  }

  findById(tenantId: string, id: string): Promise<Webhook | null> {
    return this.reads.send({ tenantId, id });
  }

  /** Newest first: by ids, status, key and time, after a cursor (the time and id of the last one seen). */
  search(tenantId: string, filter: WebhookFilter, limit: number, after: { receivedAt: Date; id: string } | null = null): Promise<Webhook[]> {
    const query = this.filtered(tenantId, filter).orderBy('webhook.received_at', 'DESC').addOrderBy('webhook.id', 'DESC').take(limit);
    if (after) {
      query.andWhere('(webhook.received_at < :afterTime OR (webhook.received_at = :afterTime AND webhook.id < :afterId))', {
        afterTime: after.receivedAt,
        afterId: after.id,
      });
    }
    return query.getMany();
  }

  private filtered(tenantId: string, filter: WebhookFilter) {
    const query = this.webhooks.createQueryBuilder('webhook').where('webhook.tenant_id = :tenantId', { tenantId });
    if (filter.ids) query.andWhere('webhook.id IN (:...ids)', { ids: filter.ids.length > 0 ? filter.ids : [''] });
    if (filter.status) query.andWhere('webhook.status = :status', { status: filter.status });
    if (filter.apiKeyId) query.andWhere('webhook.api_key_id = :apiKeyId', { apiKeyId: filter.apiKeyId });
    if (filter.from) query.andWhere('webhook.received_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('webhook.received_at <= :to', { to: filter.to });
    return query;
  }

  list(tenantId: string, limit: number): Promise<Webhook[]> {
    return this.webhooks.find({ where: { tenantId }, order: { receivedAt: 'DESC', id: 'DESC' }, take: limit });
  }
}
