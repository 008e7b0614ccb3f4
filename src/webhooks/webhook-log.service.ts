import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import type { ReceivedWebhook } from './received-webhook.js';
import { Webhook, WebhookStatus } from './webhook.entity.js';
import { WebhooksRepository, type WebhookFilter } from './webhooks.repository.js';

export interface WebhookView {
  id: string;
  receivedAt: string;
  apiKeyId: string;
  status: WebhookStatus;
  reason: string | null;
  recordIds: string[];
  /** While queued after a failed attempt: when the next attempt is (ISO 8601); otherwise null. */
  nextAttemptAt: string | null;
}

export interface WebhookDetail extends WebhookView {
  tenantId: string;
  apiKeyName: string;
  contentType: string;
  headers: Record<string, string>;
  payload: Record<string, unknown>;
  runIds: string[];
  /** The waiting instances it resumed (wait-for-webhook). */
  resumedIds: string[];
}

/** The per-tenant log of every webhook received and what became of it. */
@Injectable()
export class WebhookLogService {
  constructor(private readonly webhooks: WebhooksRepository) {}

  /**
   * Writes the entry of a webhook a worker has taken from the queue, with the runs it waits for
   * (idempotent per webhook id: a repeated dispatch after a crash changes nothing). A webhook
   * no process takes is written finished: as received, with the reason, unless it resumed
   * waiting instances (processed).
   */
  async recordTaken(job: ReceivedWebhook, runIds: string[], unprocessedReason: string | null): Promise<void> {
    const finished = runIds.length === 0;
    // A webhook that only resumed waiting instances was handled, though it started nothing.
    const resumedOnly = finished && (job.resumedIds?.length ?? 0) > 0;
    await this.webhooks.insertOnce(
      Object.assign(new Webhook(), {
        ...entry(job, runIds),
        status: finished ? (resumedOnly ? 'processed' : 'received') : 'queued',
        reason: finished && !resumedOnly ? unprocessedReason : null,
        recordIds: [],
        processedAt: finished ? new Date() : null,
      }),
    );
  }

  /** The entry of a webhook whose only run has just finished, with its outcome (stored with the run). */
  finishedEntry(job: ReceivedWebhook, runIds: string[], outcome: { status: WebhookStatus; reason: string | null; recordIds: string[] }): Webhook {
    return Object.assign(new Webhook(), {
      ...entry(job, runIds),
      status: outcome.status,
      reason: outcome.reason,
      recordIds: outcome.recordIds,
      processedAt: new Date(),
      nextAttemptAt: null,
    });
  }

  /** An attempt failed and the job waits for its next one: the entry stays queued and says when. */
  async retrying(tenantId: string, id: string, failure: { message: string; attempt: number; attempts: number; nextAttemptAt: Date }): Promise<void> {
    const next = failure.nextAttemptAt.toISOString();
    await this.webhooks.noteRetry(
      tenantId,
      id,
      `Attempt ${failure.attempt} of ${failure.attempts} failed: ${failure.message}; next attempt at ${next}`,
      failure.nextAttemptAt,
    );
  }

  async finish(tenantId: string, id: string, status: WebhookStatus, reason: string | null, recordIds: string[]) {
    await this.webhooks.finish(tenantId, id, { status, reason, recordIds, processedAt: new Date(), nextAttemptAt: null });
  }

  oldest(status: WebhookStatus, before: Date, limit: number): Promise<string[]> {
    return this.webhooks.oldest(status, before, limit);
  }

  remove(ids: string[]): Promise<void> {
    return this.webhooks.deleteByIds(ids);
  }

  /** A replay: the webhook is queued again until these new runs are stored. */
  async replayed(tenantId: string, id: string, runIds: string[]): Promise<void> {
    await this.webhooks.setReplayRunIds(tenantId, id, runIds);
  }

  count(tenantId: string, filter: WebhookFilter): Promise<number> {
    return this.webhooks.count(tenantId, filter);
  }

  /** Webhooks with their payloads, newest first: by ids, or by status and time. */
  async search(tenantId: string, filter: WebhookFilter, limit: number): Promise<WebhookDetail[]> {
    return (await this.webhooks.search(tenantId, filter, limit)).map(toDetail);
  }

  /** A page of the log, newest first, with the cursor of the next page (null on the last). */
  async page(tenantId: string, filter: WebhookFilter, limit: number, cursor: string | null): Promise<{ items: WebhookView[]; nextCursor: string | null }> {
    const after = decodeCursor(cursor);
    const webhooks = await this.webhooks.search(tenantId, filter, limit + 1, after && { receivedAt: after.time, id: after.id });
    const items = webhooks.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toView),
      nextCursor: webhooks.length > limit && last ? encodeCursor({ time: last.receivedAt, id: last.id }) : null,
    };
  }

  async list(tenantId: string, limit = 100): Promise<WebhookView[]> {
    return (await this.webhooks.list(tenantId, limit)).map(toView);
  }

  async find(tenantId: string, id: string): Promise<WebhookDetail | null> {
    const webhook = await this.webhooks.findById(tenantId, id);
    return webhook ? toDetail(webhook) : null;
  }

  async get(tenantId: string, id: string): Promise<WebhookDetail> {
    const webhook = await this.webhooks.findById(tenantId, id);
    if (!webhook) throw new AppError(ErrorCode.NotFound, `Webhook ${id} does not exist in this tenant`);
    return toDetail(webhook);
  }
}

/** The columns of a log entry that come from the webhook's job. */
function entry(
  job: ReceivedWebhook,
  runIds: string[],
): Pick<Webhook, 'id' | 'tenantId' | 'apiKeyId' | 'apiKeyName' | 'receivedAt' | 'contentType' | 'headers' | 'payload' | 'runIds' | 'resumedIds'> {
  return {
    id: job.webhookId,
    tenantId: job.tenantId,
    apiKeyId: job.apiKeyId,
    apiKeyName: job.apiKeyName,
    receivedAt: new Date(job.receivedAt),
    contentType: job.contentType,
    headers: job.headers,
    payload: job.payload,
    runIds,
    resumedIds: job.resumedIds?.length ? job.resumedIds : null,
  };
}

function toDetail(webhook: Webhook): WebhookDetail {
  return {
    ...toView(webhook),
    tenantId: webhook.tenantId,
    apiKeyName: webhook.apiKeyName,
    contentType: webhook.contentType,
    headers: webhook.headers ?? {},
    payload: webhook.payload,
    runIds: webhook.runIds ?? [],
    resumedIds: webhook.resumedIds ?? [],
  };
}

function toView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    receivedAt: webhook.receivedAt.toISOString(),
    apiKeyId: webhook.apiKeyId,
    status: webhook.status,
    reason: webhook.reason,
    recordIds: webhook.recordIds,
    // A finished entry may keep the time of its last retry (the runs' upsert leaves it): not shown.
    nextAttemptAt: webhook.status === 'queued' ? (webhook.nextAttemptAt?.toISOString() ?? null) : null,
  };
}
