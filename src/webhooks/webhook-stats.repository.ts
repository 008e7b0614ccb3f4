import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { Webhook, type WebhookStatus } from './webhook.entity.js';

export interface HourlyCount {
  /** Start of the hour, UTC, as "YYYY-MM-DD HH:00:00". */
  hour: string;
  status: WebhookStatus;
  count: number;
}

/** Counts over the webhook log for the console's dashboard, grouped in the database. */
@Injectable()
export class WebhookStatsRepository {
  private readonly webhooks: Repository<Webhook>;

  constructor(private readonly dataSource: DataSource) {
    this.webhooks = dataSource.getRepository(Webhook);
  }

  async hourly(tenantId: string, from: Date): Promise<HourlyCount[]> {
    // SQLite keeps dates as UTC text, PostgreSQL as timestamptz: one hour key for both.
    const hour =
      this.dataSource.options.type === 'postgres'
        ? `to_char(webhook.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:00:00')`
        : `strftime('%Y-%m-%d %H:00:00', webhook.received_at)`;
    const rows = await this.webhooks
      .createQueryBuilder('webhook')
      .select(hour, 'hour')
      .addSelect('webhook.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('webhook.tenant_id = :tenantId AND webhook.received_at >= :from', { tenantId, from })
      .groupBy(hour)
      .addGroupBy('webhook.status')
      .getRawMany<{ hour: string; status: WebhookStatus; count: string | number }>();
    return rows.map((row) => ({ hour: row.hour, status: row.status, count: Number(row.count) }));
  }

  async countByStatus(tenantId: string, from: Date | null): Promise<Partial<Record<WebhookStatus, number>>> {
    const query = this.webhooks
      .createQueryBuilder('webhook')
      .select('webhook.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('webhook.tenant_id = :tenantId', { tenantId })
      .groupBy('webhook.status');
    if (from) query.andWhere('webhook.received_at >= :from', { from });
    const rows = await query.getRawMany<{ status: WebhookStatus; count: string | number }>();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  finishedSince(tenantId: string, since: Date): Promise<number> {
    return this.webhooks
      .createQueryBuilder('webhook')
      .where('webhook.tenant_id = :tenantId AND webhook.processed_at >= :since', { tenantId, since })
      .getCount();
  }
}
