import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { CompiledProcess } from './process-definition.js';
import { ProcessDefinitions } from './process-definitions.js';
import { TenantProcessesRepository } from './tenant-processes.repository.js';

export interface ProcessView {
  id: string;
  name: string;
  version: number;
  active: boolean;
}

/** Which processes run for a tenant: the base definitions, each switched on or off per tenant. */
@Injectable()
export class ProcessesService {
  constructor(
    private readonly definitions: ProcessDefinitions,
    private readonly settings: TenantProcessesRepository,
    private readonly tenants: TenantsService,
  ) {}

  async list(tenantId: string): Promise<ProcessView[]> {
    await this.tenants.get(tenantId);
    const active = await this.activeIds(tenantId);
    return this.definitions
      .all()
      .map(({ definition: { id, name, version } }) => ({ id, name, version, active: active.has(id) }));
  }

  async setActive(tenantId: string, processId: string, active: boolean): Promise<void> {
    await this.tenants.get(tenantId);
    if (!this.definitions.get(processId)) {
      const known = this.definitions.all().map((process) => process.definition.id).join(', ');
      throw new AppError(ErrorCode.NotFound, `Process "${processId}" does not exist (known: ${known})`);
    }
    await this.settings.setActive(tenantId, processId, active);
  }

  /**
   * The processes that start for a webhook sent with this key: active for the tenant, and not
   * restricted to other keys. Read per webhook, so a switch applies to the next one.
   */
  async startedBy(tenantId: string, apiKey: { id: string; name: string }): Promise<CompiledProcess[]> {
    const active = await this.activeIds(tenantId);
    return this.definitions.all().filter(({ definition }) => {
      const keys = definition.trigger.apiKeys;
      return active.has(definition.id) && (!keys || keys.includes(apiKey.name) || keys.includes(apiKey.id));
    });
  }

  private async activeIds(tenantId: string): Promise<Set<string>> {
    const choices = new Map((await this.settings.listByTenant(tenantId)).map((s) => [s.processId, s.active]));
    return new Set(
      this.definitions
        .all()
        .map((process) => process.definition)
        .filter((definition) => choices.get(definition.id) ?? definition.activeByDefault)
        .map((definition) => definition.id),
    );
  }
}
