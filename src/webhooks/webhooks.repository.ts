import { Injectable } from '@nestjs/common';
import { DataSource, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { Webhook, WebhookStatus } from './webhook.entity.js';

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

  async setProcessIds(tenantId: string, id: string, processIds: string[]): Promise<void> {
    await this.webhooks.update({ tenantId, id }, { processIds });
  }

  findById(tenantId: string, id: string): Promise<Webhook | null> {
    return this.webhooks.findOneBy({ tenantId, id });
  }

  list(tenantId: string, limit: number): Promise<Webhook[]> {
    return this.webhooks.find({ where: { tenantId }, order: { receivedAt: 'DESC', id: 'DESC' }, take: limit });
  }
}
