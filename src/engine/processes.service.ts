import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { ProcessDefinition } from './process-definition.js';
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
    return this.definitions.all().map(({ id, name, version }) => ({ id, name, version, active: active.has(id) }));
  }

  async setActive(tenantId: string, processId: string, active: boolean): Promise<void> {
    await this.tenants.get(tenantId);
    if (!this.definitions.get(processId)) {
      const known = this.definitions.all().map((definition) => definition.id).join(', ');
      throw new AppError(ErrorCode.NotFound, `Process "${processId}" does not exist (known: ${known})`);
    }
    await this.settings.setActive(tenantId, processId, active);
  }

  /** The definitions that run for this tenant's webhooks. Read per webhook, so a switch applies at once. */
  async activeFor(tenantId: string): Promise<ProcessDefinition[]> {
    const active = await this.activeIds(tenantId);
    return this.definitions.all().filter((definition) => active.has(definition.id));
  }

  private async activeIds(tenantId: string): Promise<Set<string>> {
    const choices = new Map((await this.settings.listByTenant(tenantId)).map((s) => [s.processId, s.active]));
    return new Set(
      this.definitions
        .all()
        .filter((definition) => choices.get(definition.id) ?? definition.activeByDefault)
        .map((definition) => definition.id),
    );
  }
}
