import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { Replay, type ReplayFilter, type ReplayStatus } from '../webhooks/replay.entity.js';
import { ReplaysRepository } from '../webhooks/replays.repository.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import type { ReplayBatchJob } from './job-contracts.js';
import { WebhookQueue } from './webhook-queue.js';

/** Webhooks one batch job replays: small enough for a job to end quickly, large enough to be few. */
const BATCH = 200;
export const BULK_REPLAY_LIMIT = 1_000_000;

export interface ReplayView {
  id: string;
  status: ReplayStatus;
  filter: ReplayFilter;
  /** Webhooks that matched when the replay started (at most its limit). */
  total: number;
  /** Queued again through the current processes so far. */
  done: number;
  /** Could not be replayed; lastError says why for the last of them. */
  failed: number;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface BulkReplayRequest {
  status: 'received' | 'failed';
  from?: Date;
  to?: Date;
  processId?: string;
  apiKeyId?: string;
  limit?: number;
}

/**
 * Replays the webhooks of a log filter in the background, batch after batch, each batch a job
 * that queues the next: the request answers at once with the replay's id, and its progress is
 * in the database. Each webhook goes through WebhookDispatcher.replay, as a single replay does.
 */
@Injectable()
export class BulkReplaysService {
  constructor(
    private readonly replays: ReplaysRepository,
    private readonly log: WebhookLogService,
    private readonly dispatcher: WebhookDispatcher,
    private readonly queue: WebhookQueue,
    private readonly tenants: TenantsService,
  ) {}

  async start(tenantId: string, request: BulkReplayRequest): Promise<ReplayView> {
    if (request.status !== 'received' && request.status !== 'failed') {
      throw new AppError(ErrorCode.InvalidArgument, 'status: bulk replay is for received or failed webhooks');
    }
    const limit = request.limit ?? BULK_REPLAY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > BULK_REPLAY_LIMIT) {
      throw new AppError(ErrorCode.InvalidArgument, `limit must be 1 to ${BULK_REPLAY_LIMIT}`);
    }
    await this.tenants.get(tenantId);
    const now = new Date();
    // Frozen at the start: webhooks that arrive during the replay are not part of it.
    const to = request.to && request.to < now ? request.to : now;
    const filter: ReplayFilter = { status: request.status, to: to.toISOString() };
    if (request.from) filter.from = request.from.toISOString();
    if (request.processId) filter.processId = request.processId;
    if (request.apiKeyId) filter.apiKeyId = request.apiKeyId;
    const total = Math.min(limit, await this.log.count(tenantId, logFilter(filter)));
    const replay = Object.assign(new Replay(), {
      id: randomUUID(),
      tenantId,
      status: total > 0 ? 'running' : 'completed',
      filter,
      total,
      done: 0,
      failed: 0,
      cursor: null,
      lastError: null,
      createdAt: now,
      finishedAt: total > 0 ? null : now,
    });
    await this.replays.insert(replay);
    if (total > 0) {
      try {
        await this.queue.addReplayBatch({ tenantId, replayId: replay.id, position: 0 });
      } catch {
        // Nothing would ever run it: close it rather than leave it running.
        const lastError = 'Not started: the webhook queue was unavailable';
        await this.replays.progress(tenantId, replay.id, { status: 'completed', done: 0, failed: 0, cursor: null, lastError, finishedAt: new Date() });
        throw new AppError(ErrorCode.QueueUnavailable, 'The webhook queue is unavailable; start the replay again later');
      }
    }
    return toView(replay);
  }

  async get(tenantId: string, id: string): Promise<ReplayView> {
    const replay = await this.replays.findById(tenantId, id);
    if (!replay) throw new AppError(ErrorCode.NotFound, `Replay ${id} does not exist in this tenant`);
    return toView(replay);
  }

  /**
   * Replays the next batch from where the last one stopped (a log cursor, by position, so the
   * webhooks replayed, now queued, do not shift it), saves the progress, then queues the next.
   */
  async runBatch(job: ReplayBatchJob): Promise<void> {
    const replay = await this.replays.findById(job.tenantId, job.replayId);
    // A batch run again after its successor was queued: the successor carries on.
    if (!replay || replay.status !== 'running' || replay.done + replay.failed !== job.position) return;
    const left = replay.total - job.position;
    const page = await this.log.page(job.tenantId, logFilter(replay.filter), Math.min(BATCH, left), replay.cursor);
    let { done, failed, lastError } = replay;
    for (const webhook of page.items) {
      try {
        await this.dispatcher.replay(job.tenantId, webhook.id, { processId: replay.filter.processId });
        done++;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // Queued already: this batch's earlier attempt (or a person) replayed it.
        if (error.code === ErrorCode.Conflict && (await this.log.find(job.tenantId, webhook.id))?.status === 'queued') done++;
        else {
          failed++;
          lastError = `Webhook ${webhook.id}: ${error.message}`;
        }
      }
    }
    const finished = page.nextCursor === null || done + failed >= replay.total;
    await this.replays.progress(job.tenantId, job.replayId, {
      status: finished ? 'completed' : 'running',
      done,
      failed,
      cursor: page.nextCursor,
      lastError,
      finishedAt: finished ? new Date() : null,
    });
    if (!finished) await this.queue.addReplayBatch({ tenantId: job.tenantId, replayId: job.replayId, position: done + failed });
  }
}

function logFilter(filter: ReplayFilter) {
  return { status: filter.status, apiKeyId: filter.apiKeyId, from: filter.from ? new Date(filter.from) : undefined, to: new Date(filter.to) };
}

function toView(replay: Replay): ReplayView {
  return {
    id: replay.id,
    status: replay.status,
    filter: replay.filter,
    total: replay.total,
    done: replay.done,
    failed: replay.failed,
    lastError: replay.lastError,
    createdAt: replay.createdAt.toISOString(),
    finishedAt: replay.finishedAt?.toISOString() ?? null,
  };
}
