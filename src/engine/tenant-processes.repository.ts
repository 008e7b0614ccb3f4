import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository, type QueryDeepPartialEntity } from 'typeorm';
import type { ProcessDefinition } from './definition-types.js';
import { ProcessVersion } from './process-version.entity.js';
import { TenantProcess } from './tenant-process.entity.js';

/** A tenant's process settings and the saved versions of its overrides and custom processes. */
@Injectable()
export class TenantProcessesRepository {
  private readonly settings: Repository<TenantProcess>;
  private readonly versions: Repository<ProcessVersion>;

  constructor(private readonly dataSource: DataSource) {
    this.settings = dataSource.getRepository(TenantProcess);
    this.versions = dataSource.getRepository(ProcessVersion);
  }

  listByTenant(tenantId: string): Promise<TenantProcess[]> {
    return this.settings.findBy({ tenantId });
  }

  find(tenantId: string, processId: string): Promise<TenantProcess | null> {
    return this.settings.findOneBy({ tenantId, processId });
  }

  async save(setting: TenantProcess): Promise<void> {
    await this.settings.upsert(setting, ['tenantId', 'processId']);
  }

  /** Stores a new version and makes it the one that runs, in one transaction. */
  async saveVersion(version: ProcessVersion, setting: TenantProcess): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(ProcessVersion, version as QueryDeepPartialEntity<ProcessVersion>);
      await manager.upsert(TenantProcess, setting, ['tenantId', 'processId']);
    });
  }

  findVersion(tenantId: string, processId: string, version: number): Promise<ProcessVersion | null> {
    return this.versions.findOneBy({ tenantId, processId, version });
  }

  /**
   * Gives the saved versions of a base process that predate base tracking (in every tenant) the
   * base they were made from: the given definition, which must be that base version.
   */
  async recordLegacyBase(processId: string, base: ProcessDefinition): Promise<void> {
    await this.versions.update({ processId, baseVersion: IsNull() }, { baseVersion: base.version, baseDefinition: base as never });
  }

  listVersions(tenantId: string, processId: string): Promise<ProcessVersion[]> {
    return this.versions.find({ where: { tenantId, processId }, order: { version: 'DESC' } });
  }

  async latestVersion(tenantId: string, processId: string): Promise<number> {
    const latest = await this.versions.findOne({ where: { tenantId, processId }, order: { version: 'DESC' }, select: { version: true } });
    return latest?.version ?? 0;
  }

  /** Removes a custom process with its history. */
  async remove(tenantId: string, processId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(ProcessVersion, { tenantId, processId });
      await manager.delete(TenantProcess, { tenantId, processId });
    });
  }
}
