import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { WebhookJob } from '../queue/queue.constants.js';
import { Webhook, WebhookStatus } from './webhook.entity.js';
import { WebhooksRepository } from './webhooks.repository.js';

export interface WebhookView {
  id: string;
  receivedAt: string;
  apiKeyId: string;
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
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
        processedAt: null,
      }),
    );
  }

  async finish(tenantId: string, id: string, status: WebhookStatus, reason: string | null, recordIds: string[]) {
    await this.webhooks.finish(tenantId, id, { status, reason, recordIds, processedAt: new Date() });
  }

  async list(tenantId: string, limit = 100): Promise<WebhookView[]> {
    return (await this.webhooks.list(tenantId, limit)).map(toView);
  }

  async get(tenantId: string, id: string): Promise<WebhookView & { payload: Record<string, unknown> }> {
    const webhook = await this.webhooks.findById(tenantId, id);
    if (!webhook) throw new AppError(ErrorCode.NotFound, `Webhook ${id} does not exist in this tenant`);
    return { ...toView(webhook), payload: webhook.payload };
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
