import { Injectable } from '@nestjs/common';
import { Between, DataSource, In, LessThanOrEqual, MoreThanOrEqual, Repository, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';
import { Webhook, WebhookStatus } from './webhook.entity.js';

export interface WebhookFilter {
  ids?: string[];
  status?: WebhookStatus;
  from?: Date;
  to?: Date;
}

@Injectable()
export class WebhooksRepository {
  private readonly webhooks: Repository<Webhook>;

  constructor(dataSource: DataSource) {
    this.webhooks = dataSource.getRepository(Webhook);
  }

  /** Inserts the log entry unless a previous attempt of the same job already did. */
  async insertOnce(webhook: Webhook): Promise<void> {
    await this.webhooks.createQueryBuilder().insert().into(Webhook).values(webhook as QueryDeepPartialEntity<Webhook>).orIgnore().execute();
  }

  async finish(
    tenantId: string,
    id: string,
    outcome: { status: WebhookStatus; reason: string | null; recordIds: string[]; processedAt: Date },
  ): Promise<void> {
    await this.webhooks.update({ tenantId, id }, outcome);
  }

  /** The webhook waits for these runs again (a new webhook, or a replay). */
  async setRunIds(tenantId: string, id: string, runIds: string[]): Promise<void> {
    await this.webhooks.update({ tenantId, id }, { runIds, status: 'queued', processedAt: null });
  }

  findById(tenantId: string, id: string): Promise<Webhook | null> {
    return this.webhooks.findOneBy({ tenantId, id });
  }

  /** Newest first, by ids or by status and time. */
  search(tenantId: string, filter: WebhookFilter, limit: number): Promise<Webhook[]> {
    const where: FindOptionsWhere<Webhook> = { tenantId };
    if (filter.ids) where.id = In(filter.ids);
    if (filter.status) where.status = filter.status;
    if (filter.from && filter.to) where.receivedAt = Between(filter.from, filter.to);
    else if (filter.from) where.receivedAt = MoreThanOrEqual(filter.from);
    else if (filter.to) where.receivedAt = LessThanOrEqual(filter.to);
    return this.webhooks.find({ where, order: { receivedAt: 'DESC', id: 'DESC' }, take: limit });
  }

  list(tenantId: string, limit: number): Promise<Webhook[]> {
    return this.webhooks.find({ where: { tenantId }, order: { receivedAt: 'DESC', id: 'DESC' }, take: limit });
  }
}
