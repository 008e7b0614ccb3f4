import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { WebhookJob } from '../queue/queue.constants.js';
import { Webhook, WebhookStatus } from './webhook.entity.js';
import { WebhooksRepository, type WebhookFilter } from './webhooks.repository.js';

export interface WebhookView {
  id: string;
  receivedAt: string;
  apiKeyId: string;
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
}

export interface WebhookDetail extends WebhookView {
  contentType: string;
  payload: Record<string, unknown>;
  processIds: string[];
}

/** The per-tenant log of every webhook received and what became of it. */
@Injectable()
export class WebhookLogService {
  constructor(private readonly webhooks: WebhooksRepository) {}

  /** Writes the entry of a webhook a worker has taken from the queue (idempotent per webhook id). */
  async recordTaken(job: WebhookJob): Promise<void> {
    await this.webhooks.insertOnce(
      Object.assign(new Webhook(), {
        id: job.webhookId,
        tenantId: job.tenantId,
        apiKeyId: job.apiKeyId,
        receivedAt: new Date(job.receivedAt),
        contentType: job.contentType,
        payload: job.payload,
        status: 'queued',
        reason: null,
        recordIds: [],
        processIds: null,
        processedAt: null,
      }),
    );
  }

  async finish(tenantId: string, id: string, status: WebhookStatus, reason: string | null, recordIds: string[]) {
    await this.webhooks.finish(tenantId, id, { status, reason, recordIds, processedAt: new Date() });
  }

  /** Notes the processes a webhook was dispatched to. */
  async dispatched(tenantId: string, id: string, processIds: string[]): Promise<void> {
    await this.webhooks.setProcessIds(tenantId, id, processIds);
  }

  /** Webhooks with their payloads, newest first: by ids, or by status and time. */
  async search(tenantId: string, filter: WebhookFilter, limit: number): Promise<WebhookDetail[]> {
    return (await this.webhooks.search(tenantId, filter, limit)).map((webhook) => ({
      ...toView(webhook),
      contentType: webhook.contentType,
      payload: webhook.payload,
      processIds: webhook.processIds ?? [],
    }));
  }

  async list(tenantId: string, limit = 100): Promise<WebhookView[]> {
    return (await this.webhooks.list(tenantId, limit)).map(toView);
  }

  async get(tenantId: string, id: string): Promise<WebhookDetail> {
    const webhook = await this.webhooks.findById(tenantId, id);
    if (!webhook) throw new AppError(ErrorCode.NotFound, `Webhook ${id} does not exist in this tenant`);
    return { ...toView(webhook), contentType: webhook.contentType, payload: webhook.payload, processIds: webhook.processIds ?? [] };
  }
}

function toView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    receivedAt: webhook.receivedAt.toISOString(),
    apiKeyId: webhook.apiKeyId,
    status: webhook.status,
    reason: webhook.reason,
    recordIds: webhook.recordIds,
  };
}
