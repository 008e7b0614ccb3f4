import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { Tenant } from './tenant.entity.js';
import { TenantsRepository } from './tenants.repository.js';

export interface TenantView {
  id: string;
  name: string;
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly catalogue: CatalogueService,
  ) {}

  /** Creates a tenant with the default catalogue (Contact, Lead, Order, FormSubmit and their lookups). */
  async create(name: string): Promise<TenantView> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) {
      throw new AppError(ErrorCode.InvalidArgument, 'Tenant name must be 1-200 characters');
    }
    const tenant = Object.assign(new Tenant(), { id: randomUUID(), name: trimmed, createdAt: new Date() });
    await this.tenants.insert(tenant);
    await this.catalogue.seedDefaults(tenant.id);
    return { id: tenant.id, name: tenant.name };
  }

  async get(id: string): Promise<TenantView> {
    const tenant = await this.tenants.findById(id);
    if (!tenant) throw new AppError(ErrorCode.NotFound, `Tenant ${id} does not exist`);
    return { id: tenant.id, name: tenant.name };
  }

  async list(): Promise<TenantView[]> {
    return (await this.tenants.list()).map(({ id, name }) => ({ id, name }));
  }
}
