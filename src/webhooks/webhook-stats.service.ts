import { Injectable } from '@nestjs/common';
import type { WebhookStatus } from './webhook.entity.js';
import { WebhookStatsRepository } from './webhook-stats.repository.js';

const STATUSES: WebhookStatus[] = ['queued', 'processed', 'received', 'failed'];

export interface WebhookStats {
  from: string;
  to: string;
  /** One entry per hour of the window, oldest first, with the webhooks received in it by status. */
  hours: Array<{ start: string } & Record<WebhookStatus, number>>;
  /** Webhooks received in the window, by status. */
  totals: Record<WebhookStatus, number>;
  last24h: { received: number; failed: number; keptWithoutRecord: number };
  /** Webhooks the worker finished (any status) per minute, over the last 15 minutes and the last hour. */
  processingRate: { perMinuteLast15m: number; perMinuteLastHour: number };
  /** Webhooks of the tenant waiting for the worker. */
  queued: number;
}

@Injectable()
export class WebhookStatsService {
  constructor(private readonly stats: WebhookStatsRepository) {}

  async forTenant(tenantId: string, hours: number, now = new Date()): Promise<WebhookStats> {
    const end = new Date(now);
    end.setUTCMinutes(0, 0, 0);
    const from = new Date(end.getTime() - (hours - 1) * 3_600_000);
    const counts = await this.stats.hourly(tenantId, from);
    const series = new Map<string, { start: string } & Record<WebhookStatus, number>>();
    for (let i = 0; i < hours; i++) {
      const start = new Date(from.getTime() + i * 3_600_000);
      series.set(hourKey(start), { start: start.toISOString(), queued: 0, processed: 0, received: 0, failed: 0 });
    }
    const totals = { queued: 0, processed: 0, received: 0, failed: 0 };
    for (const row of counts) {
      const bucket = series.get(row.hour);
      if (bucket && STATUSES.includes(row.status)) bucket[row.status] += row.count;
      if (STATUSES.includes(row.status)) totals[row.status] += row.count;
    }
    const day = await this.stats.countByStatus(tenantId, new Date(now.getTime() - 86_400_000));
    const all = await this.stats.countByStatus(tenantId, null);
    const last15 = await this.stats.finishedSince(tenantId, new Date(now.getTime() - 15 * 60_000));
    const lastHour = await this.stats.finishedSince(tenantId, new Date(now.getTime() - 60 * 60_000));
    return {
      from: from.toISOString(),
      to: now.toISOString(),
      hours: [...series.values()],
      totals,
      last24h: {
        received: STATUSES.reduce((sum, status) => sum + (day[status] ?? 0), 0),
        failed: day.failed ?? 0,
        keptWithoutRecord: day.received ?? 0,
      },
      processingRate: { perMinuteLast15m: round(last15 / 15), perMinuteLastHour: round(lastHour / 60) },
      queued: all.queued ?? 0,
    };
  }
}

function hourKey(date: Date): string {
  return `${date.toISOString().slice(0, 13).replace('T', ' ')}:00:00`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
