import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { DefinitionCompiler, formatProblem } from './definition-compiler.js';
import type { CompiledProcess } from './compiled-process.js';
import { BaseDefinitions } from './base-definitions.js';
import type { ProcessSource } from './tenant-process.entity.js';
import { TenantProcessesRepository } from './tenant-processes.repository.js';

export interface EffectiveProcess {
  process: CompiledProcess;
  source: ProcessSource;
  active: boolean;
  /** An override whose base definition has a new version since it was saved: from → to. */
  baseChange: { from: number; to: number } | null;
}

/** A process a webhook starts, with what its run pins: the source and the version together. */
export type StartedProcess = CompiledProcess & { source: ProcessSource };

/**
 * The base version of overrides saved before versions remembered their base: every base
 * definition shipped until then was version 1.
 */
export const LEGACY_BASE_VERSION = 1;

interface StoredVersion {
  process: CompiledProcess | null;
  baseVersion: number | null;
}

const COMPILED_LIMIT = 2000;

/**
 * A tenant's effective processes: the base definitions, each possibly overridden, plus the
 * tenant's custom ones, each on or off. Workers read them per webhook from a short-lived copy
 * (PROCESS_CACHE_MS), so a change made by any process (API, CLI) reaches every worker within
 * that time; saved versions never change, so each is compiled only once.
 */
@Injectable()
export class EffectiveProcesses {
  private readonly logger = new Logger(EffectiveProcesses.name);
  private readonly byTenant = new Map<string, { expiresAt: number; processes: EffectiveProcess[] }>();
  private readonly compiled = new Map<string, StoredVersion>();

  constructor(
    private readonly base: BaseDefinitions,
    private readonly settings: TenantProcessesRepository,
    private readonly compiler: DefinitionCompiler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The processes a webhook sent with this key starts: active, and not restricted to other keys. */
  async startedBy(tenantId: string, apiKey: { id: string; name: string }): Promise<StartedProcess[]> {
    return (await this.cached(tenantId))
      .filter(({ active, process }) => {
        const trigger = process.definition.trigger;
        if (!active || trigger.type !== 'webhook') return false;
        return !trigger.apiKeys || trigger.apiKeys.includes(apiKey.name) || trigger.apiKeys.includes(apiKey.id);
      })
      .map(({ process, source }) => ({ ...process, source }));
  }

  /** The active processes a record of the object starts when an instance creates or updates one (trigger.type "record"). */
  async startedByRecord(tenantId: string, object: string, action: 'created' | 'updated'): Promise<StartedProcess[]> {
    return (await this.cached(tenantId))
      .filter(({ active, process }) => {
        const trigger = process.definition.trigger;
        return active && trigger.type === 'record' && trigger.object === object && trigger.on.includes(action);
      })
      .map(({ process, source }) => ({ ...process, source }));
  }

  /** Whether any active process of the tenant starts from records: the cheap check before every run's writes are looked at. */
  async hasRecordTriggers(tenantId: string): Promise<boolean> {
    return (await this.cached(tenantId)).some(({ active, process }) => active && process.definition.trigger.type === 'record');
  }

  /**
   * One version of a process, as a run pinned to it needs it. A number alone is ambiguous: a
   * release may ship base v2 of a process a tenant has a saved v2 of. So a run pins the source
   * too: the base definition (if it still has that version) or the tenant's saved version.
   */
  async pinned(tenantId: string, processId: string, version: number, source?: ProcessSource): Promise<CompiledProcess | null> {
    const base = this.base.get(processId);
    if (source === 'base') return base && base.definition.version === version ? base : null;
    if (source) return (await this.version(tenantId, processId, version)).process;
    // A job queued before runs pinned their source: what the tenant runs now, if it has that version.
    const current = (await this.cached(tenantId)).find((entry) => entry.process.definition.id === processId);
    if (current?.process.definition.version === version) return current.process;
    return (await this.version(tenantId, processId, version)).process ?? (base?.definition.version === version ? base : null);
  }

  /** Forgets the copy of this process; other processes' copies expire by themselves. */
  invalidate(tenantId: string): void {
    this.byTenant.delete(tenantId);
  }

  /** Read fresh from the database: for management views and right after a change. */
  async forTenant(tenantId: string): Promise<EffectiveProcess[]> {
    const settings = new Map((await this.settings.listByTenant(tenantId)).map((setting) => [setting.processId, setting]));
    const effective: EffectiveProcess[] = [];
    for (const base of this.base.all()) {
      const setting = settings.get(base.definition.id);
      const stored = setting?.version ? await this.version(tenantId, base.definition.id, setting.version) : null;
      const active = setting?.active ?? base.definition.activeByDefault;
      if (stored?.process) {
        const from = stored.baseVersion ?? LEGACY_BASE_VERSION;
        const to = base.definition.version;
        effective.push({ process: stored.process, source: 'override', active, baseChange: from === to ? null : { from, to } });
      } else {
        effective.push({ process: base, source: 'base', active, baseChange: null });
      }
    }
    for (const setting of settings.values()) {
      if (setting.source !== 'custom' || setting.version === null) continue;
      const stored = await this.version(tenantId, setting.processId, setting.version);
      if (stored.process) effective.push({ process: stored.process, source: 'custom', active: setting.active, baseChange: null });
    }
    return effective;
  }

  private async cached(tenantId: string): Promise<EffectiveProcess[]> {
    const now = Date.now();
    const hit = this.byTenant.get(tenantId);
    if (hit && hit.expiresAt > now) return hit.processes;
    const processes = await this.forTenant(tenantId);
    if (this.byTenant.size >= COMPILED_LIMIT) this.byTenant.clear();
    this.byTenant.set(tenantId, { expiresAt: now + this.config.processCacheMs, processes });
    return processes;
  }

  /** A stored version, compiled once. A version that no longer compiles (a step type was removed) is left out, loudly. */
  private async version(tenantId: string, processId: string, version: number): Promise<StoredVersion> {
    const key = `${tenantId}:${processId}:${version}`;
    if (this.compiled.has(key)) return this.compiled.get(key)!;
    const stored = await this.settings.findVersion(tenantId, processId, version);
    let compiled: CompiledProcess | null = null;
    if (stored) {
      const result = this.compiler.compile(stored.definition);
      if (result.ok) compiled = result.process;
      else this.logger.error(`Tenant ${tenantId}, process ${processId} v${version} no longer compiles: ${result.problems.map(formatProblem).join('; ')}`);
    }
    const entry = { process: compiled, baseVersion: stored?.baseVersion ?? null };
    // A version not saved yet may be saved later; a saved one never changes.
    if (!stored) return entry;
    if (this.compiled.size >= COMPILED_LIMIT) this.compiled.clear();
    this.compiled.set(key, entry);
    return entry;
  }
}
