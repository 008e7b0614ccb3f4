import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { Tenant } from './tenant.entity.js';
import { TenantsRepository } from './tenants.repository.js';

export interface TenantView {
  id: string;
  name: string;
  /** Webhooks per minute for each of its keys without a limit of their own (null: RATE_LIMIT_PER_MINUTE; 0: no limit). */
  rateLimitPerMinute: number | null;
}

/** The largest rate limit a tenant or key may be given. */
export const MAX_RATE_LIMIT = 10_000_000;

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
    const tenant = Object.assign(new Tenant(), { id: randomUUID(), name: trimmed, createdAt: new Date(), rateLimitPerMinute: null });
    await this.tenants.insert(tenant);
    await this.catalogue.seedDefaults(tenant.id);
    return toView(tenant);
  }

  async get(id: string): Promise<TenantView> {
    const tenant = await this.tenants.findById(id);
    if (!tenant) throw new AppError(ErrorCode.NotFound, `Tenant ${id} does not exist`);
    return toView(tenant);
  }

  async list(): Promise<TenantView[]> {
    return (await this.tenants.list()).map(toView);
  }

  /**
   * Sets the webhooks per minute of each of the tenant's keys that has no limit of its own
   * (null: RATE_LIMIT_PER_MINUTE; 0: no limit). Running API processes apply it within API_KEY_CACHE_MS.
   */
  async setRateLimit(id: string, rateLimitPerMinute: number | null): Promise<TenantView> {
    await this.get(id);
    if (rateLimitPerMinute !== null && (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 0 || rateLimitPerMinute > MAX_RATE_LIMIT)) {
      throw new AppError(ErrorCode.InvalidArgument, `rateLimitPerMinute: a whole number from 0 (no limit) to ${MAX_RATE_LIMIT}, or null`);
    }
    await this.tenants.setRateLimit(id, rateLimitPerMinute);
    return this.get(id);
  }
}

function toView(tenant: Tenant): TenantView {
  return { id: tenant.id, name: tenant.name, rateLimitPerMinute: tenant.rateLimitPerMinute };
}
