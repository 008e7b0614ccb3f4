import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { DefinitionCompiler, invalidDefinition } from './definition-compiler.js';
import { rebaseDefinition } from './definition-rebase.js';
import { EffectiveProcesses, LEGACY_BASE_VERSION, type EffectiveProcess } from './effective-processes.js';
import type { ProcessDefinition } from './definition-types.js';
import { BaseDefinitions } from './base-definitions.js';
import { ProcessVersion } from './process-version.entity.js';
import { TenantProcess, type ProcessSource } from './tenant-process.entity.js';
import { TenantProcessesRepository } from './tenant-processes.repository.js';

export interface ProcessView {
  id: string;
  name: string;
  source: ProcessSource;
  version: number;
  active: boolean;
  /** Only for an override whose base definition has a new version since the override was saved. */
  baseChanged?: { from: number; to: number; message: string };
}

/**
 * The three definitions of an override whose base changed, for a three-way comparison, and
 * the JSON paths a rebase could not merge (null when the old base is not stored).
 */
export interface BaseUpgradeView {
  from: number;
  to: number;
  oldBase: ProcessDefinition | null;
  newBase: ProcessDefinition;
  override: ProcessDefinition;
  conflicts: string[] | null;
}

export interface ProcessDetail extends ProcessView {
  definition: ProcessDefinition;
  /** The base definition, for a base or overridden process. */
  base: ProcessDefinition | null;
  baseUpgrade: BaseUpgradeView | null;
  versions: Array<{ version: number; note: string | null; createdAt: string }>;
}

type BaseOrigin = { version: number; definition: ProcessDefinition } | null;

/**
 * A tenant's control over its processes: switch any on or off; override a base process with
 * a modified definition (each save a new version, kept in a history, remembering the base it
 * was made from), revert to the base, roll back to an earlier version, or rebase an override
 * onto a new base version; create, update and delete custom processes.
 */
@Injectable()
export class ProcessesService implements OnApplicationBootstrap {
  constructor(
    private readonly base: BaseDefinitions,
    private readonly effective: EffectiveProcesses,
    private readonly settings: TenantProcessesRepository,
    private readonly compiler: DefinitionCompiler,
    private readonly tenants: TenantsService,
  ) {}

  /**
   * Overrides saved before versions remembered their base were made from base v1 (the only base
   * version until then): while v1 is still the base, it is recorded with them, so a later
   * upgrade can be merged. Idempotent, so every process may do it at start.
   */
  async onApplicationBootstrap(): Promise<void> {
    for (const { definition } of this.base.all()) {
      if (definition.version === LEGACY_BASE_VERSION) await this.settings.recordLegacyBase(definition.id, definition);
    }
  }

  async list(tenantId: string): Promise<ProcessView[]> {
    await this.tenants.get(tenantId);
    return (await this.effective.forTenant(tenantId)).map(toView);
  }

  async get(tenantId: string, processId: string): Promise<ProcessDetail> {
    const current = await this.find(tenantId, processId);
    const versions = await this.settings.listVersions(tenantId, processId);
    const base = this.base.get(processId)?.definition ?? null;
    let baseUpgrade: BaseUpgradeView | null = null;
    if (current.baseChange && base) {
      const saved = versions.find((version) => version.version === current.process.definition.version);
      const oldBase = saved?.baseDefinition ?? null;
      const override = current.process.definition;
      const conflicts = oldBase ? rebaseDefinition(oldBase, base, override).conflicts : null;
      baseUpgrade = { ...current.baseChange, oldBase, newBase: base, override, conflicts };
    }
    return {
      ...toView(current),
      definition: current.process.definition,
      base,
      baseUpgrade,
      versions: versions.map(({ version, note, createdAt }) => ({ version, note, createdAt: createdAt.toISOString() })),
    };
  }

  /**
   * Applies what the base changed since the override was made (old base → new base) to the
   * override, saved as a new version made from the new base. Refused with the JSON paths when
   * the override changed one of them differently; nothing is saved then. An override already on
   * the current base is answered as it is.
   */
  async rebase(tenantId: string, processId: string): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    if (current.source !== 'override') {
      throw new AppError(ErrorCode.Conflict, `"${processId}" is not overridden for this tenant: there is nothing to rebase`);
    }
    const base = this.base.get(processId)!.definition;
    if (!current.baseChange) return toView(current);
    const saved = await this.settings.findVersion(tenantId, processId, current.process.definition.version);
    if (!saved?.baseDefinition) {
      throw new AppError(
        ErrorCode.Conflict,
        `The base v${current.baseChange.from} this override was made from is not stored, so its changes cannot be merged: compare the override with base v${base.version} and save it again`,
      );
    }
    const rebased = rebaseDefinition(saved.baseDefinition, base, current.process.definition);
    if (rebased.conflicts.length > 0) {
      throw new AppError(
        ErrorCode.Conflict,
        `Cannot rebase "${processId}" onto base v${base.version}: the override changed what the base changed at ${rebased.conflicts.join(', ')}`,
        {},
        { paths: rebased.conflicts },
      );
    }
    const note = `rebase onto base version ${base.version}`;
    return this.saveVersion(tenantId, processId, rebased.definition, 'override', current.active, note, { version: base.version, definition: base });
  }

  async setActive(tenantId: string, processId: string, active: boolean): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    await this.settings.save(this.setting(tenantId, processId, current.source, versionOf(current), active));
    return this.changed(tenantId, processId);
  }

  /** Saves a modified definition of a base process for this tenant, as a new version. */
  async override(tenantId: string, processId: string, raw: unknown, note: string | null = null): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    if (current.source === 'custom') {
      throw new AppError(ErrorCode.Conflict, `"${processId}" is a custom process: update it instead of overriding it`);
    }
    return this.saveVersion(tenantId, processId, raw, 'override', current.active, note, this.currentBase(processId));
  }

  /** The base definition runs again; the saved versions stay in the history. */
  async revert(tenantId: string, processId: string): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    if (current.source === 'custom') throw new AppError(ErrorCode.Conflict, `"${processId}" is a custom process: it has no base to revert to`);
    await this.settings.save(this.setting(tenantId, processId, 'base', null, current.active));
    return this.changed(tenantId, processId);
  }

  /** Saves an earlier version again as the newest one, so the history only ever grows. */
  async rollback(tenantId: string, processId: string, version: number): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    const earlier = await this.settings.findVersion(tenantId, processId, version);
    if (!earlier) throw new AppError(ErrorCode.NotFound, `Process "${processId}" has no saved version ${version}`);
    const source = current.source === 'custom' ? 'custom' : 'override';
    // The earlier version was made from its base: a rollback brings back that base's note if the base moved on.
    const origin = source === 'override' ? this.originOf(earlier, processId) : null;
    return this.saveVersion(tenantId, processId, earlier.definition, source, current.active, `rollback to version ${version}`, origin);
  }

  async create(tenantId: string, raw: unknown): Promise<ProcessView> {
    await this.tenants.get(tenantId);
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && (this.base.get(id) || (await this.settings.find(tenantId, id)))) {
      throw new AppError(ErrorCode.Conflict, `A process "${id}" exists already: choose another id, or override it`);
    }
    const compiled = this.compile(raw);
    return this.saveVersion(tenantId, compiled.id, raw, 'custom', compiled.activeByDefault, null, null);
  }

  async update(tenantId: string, processId: string, raw: unknown): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    if (current.source !== 'custom') {
      throw new AppError(ErrorCode.Conflict, `"${processId}" is a base process: override it instead`);
    }
    return this.saveVersion(tenantId, processId, raw, 'custom', current.active, null, null);
  }

  /**
   * A definition saved as the tenant's, by its id: a new version of the tenant's custom process
   * or override, an override of a base process, or a new custom process.
   */
  async save(tenantId: string, raw: unknown): Promise<ProcessView> {
    const id = this.compile(raw).id;
    if ((await this.settings.find(tenantId, id))?.source === 'custom') return this.update(tenantId, id, raw);
    return this.base.get(id) ? this.override(tenantId, id, raw) : this.create(tenantId, raw);
  }

  async remove(tenantId: string, processId: string): Promise<void> {
    const current = await this.find(tenantId, processId);
    if (current.source !== 'custom') {
      throw new AppError(ErrorCode.Conflict, `"${processId}" is a base process: deactivate it instead of deleting it`);
    }
    await this.settings.remove(tenantId, processId);
    this.effective.invalidate(tenantId);
  }

  private async saveVersion(
    tenantId: string,
    processId: string,
    raw: unknown,
    source: ProcessSource,
    active: boolean,
    note: string | null,
    base: BaseOrigin,
  ): Promise<ProcessView> {
    const definition = this.compile(raw);
    if (definition.id !== processId) {
      const problem = { path: '/id', message: `"${definition.id}" must be "${processId}"` };
      throw new AppError(ErrorCode.InvalidDefinition, `The definition's id ${problem.message}`, {}, { problems: [problem] });
    }
    // Versions count on from the base definition's and every saved one, so a run's version is never ambiguous.
    const latest = Math.max(await this.settings.latestVersion(tenantId, processId), this.base.get(processId)?.definition.version ?? 0);
    const version = latest + 1;
    await this.settings.saveVersion(
      Object.assign(new ProcessVersion(), {
        tenantId,
        processId,
        version,
        definition: { ...definition, version },
        baseVersion: base?.version ?? null,
        baseDefinition: base?.definition ?? null,
        note,
        createdAt: new Date(),
      }),
      this.setting(tenantId, processId, source, version, active),
    );
    return this.changed(tenantId, processId);
  }

  private currentBase(processId: string): BaseOrigin {
    const base = this.base.get(processId)?.definition;
    return base ? { version: base.version, definition: base } : null;
  }

  private originOf(saved: ProcessVersion, processId: string): BaseOrigin {
    if (saved.baseDefinition) return { version: saved.baseVersion ?? saved.baseDefinition.version, definition: saved.baseDefinition };
    const base = this.currentBase(processId);
    // Saved before bases were remembered: made from v1, which is only known while it is the base.
    return base?.version === LEGACY_BASE_VERSION ? base : null;
  }

  private compile(raw: unknown): ProcessDefinition {
    const result = this.compiler.compile(raw);
    if (!result.ok) throw invalidDefinition(result.problems);
    return result.process.definition;
  }

  private async find(tenantId: string, processId: string): Promise<EffectiveProcess> {
    await this.tenants.get(tenantId);
    const found = (await this.effective.forTenant(tenantId)).find((entry) => entry.process.definition.id === processId);
    if (!found) {
      const known = (await this.effective.forTenant(tenantId)).map((entry) => entry.process.definition.id).join(', ');
      throw new AppError(ErrorCode.NotFound, `Process "${processId}" does not exist (known: ${known})`);
    }
    return found;
  }

  private async changed(tenantId: string, processId: string): Promise<ProcessView> {
    this.effective.invalidate(tenantId);
    return toView(await this.find(tenantId, processId));
  }

  private setting(tenantId: string, processId: string, source: ProcessSource, version: number | null, active: boolean) {
    return Object.assign(new TenantProcess(), { tenantId, processId, source, version, active, updatedAt: new Date() });
  }
}

function versionOf(entry: EffectiveProcess): number | null {
  return entry.source === 'base' ? null : entry.process.definition.version;
}

function toView({ process, source, active, baseChange }: EffectiveProcess): ProcessView {
  const { id, name, version } = process.definition;
  if (!baseChange) return { id, name, source, version, active };
  const baseChanged = { ...baseChange, message: `base changed since this override (v${baseChange.from} → v${baseChange.to})` };
  return { id, name, source, version, active, baseChanged };
}
