import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import { DriftEvent, type DriftKind } from './drift-event.entity.js';
import { ParameterStat, ParameterWatch } from './parameter-stat.entity.js';
import { ParameterDriftRepository } from './parameter-drift.repository.js';

export interface DriftEventView {
  parameter: string;
  kind: DriftKind;
  apiKeyId: string;
  firstSeenAt: string;
  count: number;
  detectedAt: string;
  resolvedAt: string | null;
}

/** A mapped parameter absent from this many of the key's webhooks in a row has gone missing. */
export const MISSING_AFTER_WEBHOOKS = 10;
const MAX_PARAMETERS_PER_KEY = 1000;

interface Pending {
  tenantId: string;
  webhooks: number;
  parameters: Map<string, { seen: number; mapped: number; firstSeenAt: Date }>;
}

/**
 * Schema drift: senders change their forms without telling anyone. The worker tells this
 * service which parameters each webhook carried and which a process mapped; counts gather in
 * memory and are written per key every DRIFT_FLUSH_MS (nothing is read or written per webhook),
 * comparing them with what the key carried before.
 */
@Injectable()
export class ParameterDriftService implements OnModuleDestroy {
  private readonly logger = new Logger(ParameterDriftService.name);
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly drift: ParameterDriftRepository,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One run of a webhook: its parameter names and those the run mapped. `countsWebhook` is true
   * for one run per webhook, so a webhook that starts several processes counts once.
   */
  observe(tenantId: string, apiKeyId: string, parameters: string[], mapped: ReadonlySet<string>, countsWebhook: boolean): void {
    let entry = this.pending.get(apiKeyId);
    if (!entry) this.pending.set(apiKeyId, (entry = { tenantId, webhooks: 0, parameters: new Map() }));
    if (countsWebhook) entry.webhooks++;
    const now = new Date();
    for (const name of parameters) {
      let seen = entry.parameters.get(name);
      if (!seen) {
        if (entry.parameters.size >= MAX_PARAMETERS_PER_KEY) continue;
        entry.parameters.set(name, (seen = { seen: 0, mapped: 0, firstSeenAt: now }));
      }
      if (countsWebhook) seen.seen++;
      if (mapped.has(name)) seen.mapped++;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.config.driftFlushMs).unref();
  }

  /** Writes what was observed; safe to call at any time (calls run one after another). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((error: Error) => this.logger.warn(`Drift counts not written: ${error.message}`));
    return this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  async listForKey(tenantId: string, apiKeyId: string): Promise<DriftEventView[]> {
    if (!(await this.keys.list(tenantId)).some((key) => key.id === apiKeyId)) {
      throw new AppError(ErrorCode.NotFound, `No API key ${apiKeyId.slice(0, 40)} in this tenant`);
    }
    return (await this.drift.listByKey(tenantId, apiKeyId)).map(view);
  }

  /** With each key's name, for the console's dashboard. */
  async listOpen(tenantId: string): Promise<Array<DriftEventView & { apiKeyName: string | null }>> {
    const names = new Map((await this.keys.list(tenantId)).map((key) => [key.id, key.name]));
    return (await this.drift.listOpenByTenant(tenantId)).map((event) => ({ ...view(event), apiKeyName: names.get(event.apiKeyId) ?? null }));
  }

  countOpenByKind() {
    return this.drift.countOpenByKind();
  }

  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    for (const [apiKeyId, entry] of batch) await this.writeKey(apiKeyId, entry);
  }

  private async writeKey(apiKeyId: string, entry: Pending): Promise<void> {
    const now = new Date();
    const state = await this.drift.load(apiKeyId);
    const before = state.watch?.webhooksSeen ?? 0;
    const after = before + entry.webhooks;
    const watch = Object.assign(new ParameterWatch(), { apiKeyId, tenantId: entry.tenantId, webhooksSeen: after });
    const stats = new Map(state.stats.map((stat) => [stat.name, stat]));
    const open = new Map(state.openEvents.map((event) => [`${event.kind}\n${event.parameter}`, event]));
    const changedStats: ParameterStat[] = [];
    const changedEvents = new Set<DriftEvent>();
    const openEvent = (kind: DriftKind, parameter: string, firstSeenAt: Date, count: number) => {
      const event = open.get(`${kind}\n${parameter}`);
      if (event) event.count = count;
      const created =
        event ??
        Object.assign(new DriftEvent(), {
          id: randomUUID(),
          tenantId: entry.tenantId,
          apiKeyId,
          parameter,
          kind,
          firstSeenAt,
          count,
          detectedAt: now,
          resolvedAt: null,
        });
      open.set(`${kind}\n${parameter}`, created);
      changedEvents.add(created);
      return created;
    };
    const resolve = (kind: DriftKind, parameter: string) => {
      const event = open.get(`${kind}\n${parameter}`);
      if (!event) return;
      event.resolvedAt = now;
      changedEvents.add(event);
    };

    for (const [name, seen] of entry.parameters) {
      const stat = stats.get(name);
      if (!stat) {
        // A key's first webhooks set its baseline; after that, a new name nobody maps is drift.
        if (before > 0 && seen.mapped === 0) openEvent('new-unmapped', name, seen.firstSeenAt, seen.seen);
        const created = Object.assign(new ParameterStat(), {
          apiKeyId,
          name,
          tenantId: entry.tenantId,
          firstSeenAt: seen.firstSeenAt,
          lastSeenAt: now,
          seenCount: seen.seen,
          mappedCount: seen.mapped,
          lastSeenWebhook: after,
        });
        stats.set(name, created);
        changedStats.push(created);
        continue;
      }
      const unmappedEvent = open.get(`new-unmapped\n${name}`);
      if (unmappedEvent && seen.mapped === 0) openEvent('new-unmapped', name, unmappedEvent.firstSeenAt, unmappedEvent.count + seen.seen);
      if (seen.mapped > 0) resolve('new-unmapped', name);
      resolve('missing-mapped', name);
      Object.assign(stat, { lastSeenAt: now, seenCount: stat.seenCount + seen.seen, mappedCount: stat.mappedCount + seen.mapped });
      if (seen.seen > 0) stat.lastSeenWebhook = after;
      changedStats.push(stat);
    }
    for (const stat of stats.values()) {
      const missingFor = after - stat.lastSeenWebhook;
      if (stat.mappedCount > 0 && missingFor >= MISSING_AFTER_WEBHOOKS) openEvent('missing-mapped', stat.name, stat.lastSeenAt, missingFor);
    }
    await this.drift.save(watch, changedStats, [...changedEvents]);
  }
}

function view(event: DriftEvent): DriftEventView {
  return {
    parameter: event.parameter,
    kind: event.kind,
    apiKeyId: event.apiKeyId,
    firstSeenAt: event.firstSeenAt.toISOString(),
    count: event.count,
    detectedAt: event.detectedAt.toISOString(),
    resolvedAt: event.resolvedAt?.toISOString() ?? null,
  };
}
