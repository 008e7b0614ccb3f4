import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { SecretBox } from '../database/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { TenantSecretsRepository } from './tenant-secrets.repository.js';

/** What anyone may see of a secret: never its value. */
export interface SecretView {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_SECRET_BYTES = 8192;

/**
 * The tenants' named secrets. Values go in through set() and come out only through reveal(),
 * which the engine calls when a step sends one; every view lists names and dates only.
 */
@Injectable()
export class TenantSecretsService {
  // Opened values for PROCESS_CACHE_MS, so a burst of webhooks does not read the same row each time.
  private readonly cache = new Map<string, { value: string | null; expiresAt: number }>();

  constructor(
    private readonly secrets: TenantSecretsRepository,
    private readonly tenants: TenantsService,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async set(tenantId: string, name: string, value: string): Promise<SecretView> {
    await this.tenants.get(tenantId);
    checkName(name);
    if (typeof value !== 'string' || value.length === 0) throw new AppError(ErrorCode.InvalidArgument, 'value: must be a non-empty text');
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      throw new AppError(ErrorCode.InvalidArgument, `value: must be at most ${MAX_SECRET_BYTES} bytes`);
    }
    const saved = await this.secrets.put(tenantId, name, this.box.seal(value), new Date());
    this.cache.delete(cacheKey(tenantId, name));
    return view(saved);
  }

  async list(tenantId: string): Promise<SecretView[]> {
    await this.tenants.get(tenantId);
    return (await this.secrets.listByTenant(tenantId)).map(view);
  }

  async delete(tenantId: string, name: string): Promise<void> {
    await this.tenants.get(tenantId);
    if (!(await this.secrets.delete(tenantId, name))) throw notFound(name);
    this.cache.delete(cacheKey(tenantId, name));
  }

  /** The value of a tenant's secret, for a step that sends it; null when the tenant has none of that name. */
  async reveal(tenantId: string, name: string): Promise<string | null> {
    const key = cacheKey(tenantId, name);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const row = await this.secrets.find(tenantId, name);
    const value = row ? this.box.open(row.sealedValue) : null;
    if (this.config.processCacheMs > 0) this.cache.set(key, { value, expiresAt: Date.now() + this.config.processCacheMs });
    return value;
  }
}

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new AppError(
      ErrorCode.InvalidArgument,
      `name: "${name.slice(0, 80)}" must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
}

function notFound(name: string): AppError {
  return new AppError(ErrorCode.NotFound, `No secret named "${name.slice(0, 80)}" in this tenant`);
}

function cacheKey(tenantId: string, name: string): string {
  return `${tenantId}\n${name}`;
}

function view(secret: { name: string; createdAt: Date; updatedAt: Date }): SecretView {
  return { name: secret.name, createdAt: secret.createdAt.toISOString(), updatedAt: secret.updatedAt.toISOString() };
}
