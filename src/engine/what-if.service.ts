import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import { WebhookLogService, type WebhookView } from '../webhooks/webhook-log.service.js';
import { DryRunService, type DryRunResult } from './dry-run.service.js';

export interface WhatIfQuery {
  webhookIds?: string[];
  status?: WebhookStatus;
  from?: Date;
  to?: Date;
  limit?: number;
}

export interface WhatIfEntry {
  webhook: Pick<WebhookView, 'id' | 'receivedAt' | 'status' | 'reason' | 'recordIds'>;
  /** `waits`: where the draft would wait for this webhook (a what-if goes no further than a wait). */
  draft: Pick<DryRunResult, 'started' | 'status' | 'error' | 'records' | 'waits'>;
}

export interface WhatIfReport {
  processId: string;
  compared: number;
  /** False when the comparison stopped at its time budget (WHAT_IF_BUDGET_MS) before the last webhook. */
  complete: boolean;
  /** Why it stopped early, or null. */
  stoppedReason: string | null;
  /** Stored webhooks without a record that the draft would turn into records. */
  wouldNowWrite: number;
  entries: WhatIfEntry[];
}

export const WHAT_IF_LIMIT = 200;
/**
 * The time one comparison may take in all: each dry run is bounded, but 200 of them that each run
 * into an expression's time limit would keep the service busy for a long time.
 */
export const WHAT_IF_BUDGET_MS = 10_000;

/**
 * Dry-runs a draft definition against stored webhooks of a tenant, next to what actually
 * happened to each — so an analyst sees that a fix maps last week's failures before
 * activating it (and then replays them). Writes nothing, calls no external system.
 */
@Injectable()
export class WhatIfService {
  constructor(
    private readonly log: WebhookLogService,
    private readonly dryRun: DryRunService,
  ) {}

  async compare(tenantId: string, definition: unknown, query: WhatIfQuery): Promise<WhatIfReport> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > WHAT_IF_LIMIT) {
      throw new AppError(ErrorCode.InvalidArgument, `limit must be 1 to ${WHAT_IF_LIMIT}`);
    }
    const process = this.dryRun.compile(definition);
    return this.dryRun.limited(tenantId, async () => {
      const started = Date.now();
      const webhooks = await this.log.search(tenantId, { ids: query.webhookIds, status: query.status, from: query.from, to: query.to }, limit);
      const entries: WhatIfEntry[] = [];
      let stoppedReason: string | null = null;
      for (const webhook of webhooks) {
        if (Date.now() - started > WHAT_IF_BUDGET_MS) {
          stoppedReason = `stopped after ${entries.length} of ${webhooks.length} webhooks: a comparison may take at most ${WHAT_IF_BUDGET_MS} ms`;
          break;
        }
        // With the key each webhook came with: a draft restricted to other keys would not start.
        const result = await this.dryRun.run(tenantId, process, webhook.payload, { id: webhook.apiKeyId, name: webhook.apiKeyName });
        const { id, receivedAt, status, reason, recordIds } = webhook;
        entries.push({
          webhook: { id, receivedAt, status, reason, recordIds },
          draft: { started: result.started, status: result.status, error: result.error, records: result.records, waits: result.waits },
        });
      }
      return {
        processId: process.definition.id,
        compared: entries.length,
        complete: stoppedReason === null,
        stoppedReason,
        wouldNowWrite: entries.filter((entry) => entry.webhook.recordIds.length === 0 && entry.draft.records.length > 0).length,
        entries,
      };
    });
  }
}
