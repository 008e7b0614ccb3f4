import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { DefinitionCompiler } from './definition-compiler.js';
import type { CompiledProcess } from './process-definition.js';
import { ProcessDefinitions } from './process-definitions.js';
import type { ProcessSource } from './tenant-process.entity.js';
import { TenantProcessesRepository } from './tenant-processes.repository.js';

export interface EffectiveProcess {
  process: CompiledProcess;
  source: ProcessSource;
  active: boolean;
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
  private readonly compiled = new Map<string, CompiledProcess | null>();

  constructor(
    private readonly base: ProcessDefinitions,
    private readonly settings: TenantProcessesRepository,
    private readonly compiler: DefinitionCompiler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The processes a webhook sent with this key starts: active, and not restricted to other keys. */
  async startedBy(tenantId: string, apiKey: { id: string; name: string }): Promise<CompiledProcess[]> {
    return (await this.cached(tenantId))
      .filter(({ active, process }) => {
        const keys = process.definition.trigger.apiKeys;
        return active && (!keys || keys.includes(apiKey.name) || keys.includes(apiKey.id));
      })
      .map(({ process }) => process);
  }

  /** One version of a process, as a run pinned to it needs it: the base definition or a saved version. */
  async pinned(tenantId: string, processId: string, version: number): Promise<CompiledProcess | null> {
    const base = this.base.get(processId);
    // Saved versions count on from the base version, so the base's own number means the base.
    if (base && base.definition.version === version) return base;
    return this.version(tenantId, processId, version);
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
      effective.push({
        process: stored ?? base,
        source: stored ? 'override' : 'base',
        active: setting?.active ?? base.definition.activeByDefault,
      });
    }
    for (const setting of settings.values()) {
      if (setting.source !== 'custom' || setting.version === null) continue;
      const stored = await this.version(tenantId, setting.processId, setting.version);
      if (stored) effective.push({ process: stored, source: 'custom', active: setting.active });
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
  private async version(tenantId: string, processId: string, version: number): Promise<CompiledProcess | null> {
    const key = `${tenantId}:${processId}:${version}`;
    if (this.compiled.has(key)) return this.compiled.get(key)!;
    const stored = await this.settings.findVersion(tenantId, processId, version);
    let compiled: CompiledProcess | null = null;
    if (stored) {
      const result = this.compiler.compile(stored.definition);
      if (result.ok) compiled = result.process;
      else this.logger.error(`Tenant ${tenantId}, process ${processId} v${version} no longer compiles: ${result.problems.join('; ')}`);
    }
    if (this.compiled.size >= COMPILED_LIMIT) this.compiled.clear();
    this.compiled.set(key, compiled);
    return compiled;
  }
}
