import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { DefinitionCompiler } from './definition-compiler.js';
import { EffectiveProcesses, type EffectiveProcess } from './effective-processes.js';
import type { ProcessDefinition } from './process-definition.js';
import { ProcessDefinitions } from './process-definitions.js';
import { ProcessVersion } from './process-version.entity.js';
import { TenantProcess, type ProcessSource } from './tenant-process.entity.js';
import { TenantProcessesRepository } from './tenant-processes.repository.js';

export interface ProcessView {
  id: string;
  name: string;
  source: ProcessSource;
  version: number;
  active: boolean;
}

export interface ProcessDetail extends ProcessView {
  definition: ProcessDefinition;
  /** The base definition, for a base or overridden process. */
  base: ProcessDefinition | null;
  versions: Array<{ version: number; note: string | null; createdAt: string }>;
}

/**
 * A tenant's control over its processes: switch any on or off; override a base process with
 * a modified definition (each save a new version, kept in a history), revert to the base or
 * roll back to an earlier version; create, update and delete custom processes.
 */
@Injectable()
export class ProcessesService {
  constructor(
    private readonly base: ProcessDefinitions,
    private readonly effective: EffectiveProcesses,
    private readonly settings: TenantProcessesRepository,
    private readonly compiler: DefinitionCompiler,
    private readonly tenants: TenantsService,
  ) {}

  async list(tenantId: string): Promise<ProcessView[]> {
    await this.tenants.get(tenantId);
    return (await this.effective.forTenant(tenantId)).map(toView);
  }

  async get(tenantId: string, processId: string): Promise<ProcessDetail> {
    const current = await this.find(tenantId, processId);
    const versions = await this.settings.listVersions(tenantId, processId);
    return {
      ...toView(current),
      definition: current.process.definition,
      base: this.base.get(processId)?.definition ?? null,
      versions: versions.map(({ version, note, createdAt }) => ({ version, note, createdAt: createdAt.toISOString() })),
    };
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
    return this.saveVersion(tenantId, processId, raw, 'override', current.active, note);
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
    return this.saveVersion(tenantId, processId, earlier.definition, source, current.active, `rollback to version ${version}`);
  }

  async create(tenantId: string, raw: unknown): Promise<ProcessView> {
    await this.tenants.get(tenantId);
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && (this.base.get(id) || (await this.settings.find(tenantId, id)))) {
      throw new AppError(ErrorCode.Conflict, `A process "${id}" exists already: choose another id, or override it`);
    }
    const compiled = this.compile(raw);
    return this.saveVersion(tenantId, compiled.id, raw, 'custom', compiled.activeByDefault, null);
  }

  async update(tenantId: string, processId: string, raw: unknown): Promise<ProcessView> {
    const current = await this.find(tenantId, processId);
    if (current.source !== 'custom') {
      throw new AppError(ErrorCode.Conflict, `"${processId}" is a base process: override it instead`);
    }
    return this.saveVersion(tenantId, processId, raw, 'custom', current.active, null);
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
  ): Promise<ProcessView> {
    const definition = this.compile(raw);
    if (definition.id !== processId) {
      throw new AppError(ErrorCode.InvalidDefinition, `The definition's id "${definition.id}" must be "${processId}"`);
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
        note,
        createdAt: new Date(),
      }),
      this.setting(tenantId, processId, source, version, active),
    );
    return this.changed(tenantId, processId);
  }

  private compile(raw: unknown): ProcessDefinition {
    const result = this.compiler.compile(raw);
    if (!result.ok) {
      throw new AppError(ErrorCode.InvalidDefinition, `Invalid process definition:\n  ${result.problems.join('\n  ')}`);
    }
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

function toView({ process, source, active }: EffectiveProcess): ProcessView {
  const { id, name, version } = process.definition;
  return { id, name, source, version, active };
}
