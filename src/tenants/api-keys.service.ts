import { Inject, Injectable, Logger } from '@nestjs/common';
import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { SecretBox } from '../database/secret-box.js';
import { signatureConfigProblem, type SignatureConfig, type SignatureScheme } from './signature-schemes/index.js';
import { MAX_RATE_LIMIT, TenantsService } from './tenants.service.js';

/** What the ingestion path needs to know about a key. */
export interface ResolvedApiKey {
  apiKeyId: string;
  apiKeyName: string;
  tenantId: string;
  /** How the source signs its webhooks, when the key requires signatures. */
  signature: SignatureConfig | null;
  /** Webhooks per minute it may send (0: no limit): the key's own, else its tenant's, else RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: number;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  apiKey: string;
  webhookUrl: string;
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The signature scheme webhooks sent with this key must carry (never its secret). */
  signatureScheme: SignatureScheme | null;
  /** After a rotation: until when the previous key still works. */
  previousKeyValidUntil: string | null;
  /** Its own webhooks per minute; null: its tenant's limit, then RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: number | null;
}

const KEY_PREFIX = 'hf_';
// 32 random bytes in base64url: 43 characters.
const KEY_PATTERN = /^hf_[A-Za-z0-9_-]{43}$/;
const CACHE_LIMIT = 10_000;
const LAST_USED_EVERY_MS = 60_000;

@Injectable()
export class ApiKeysService {
  // Keyed by the key's hash, never by the key. Unknown keys are cached too (as null), so a flood
  // of wrong keys does not become a flood of database reads.
  private readonly cache = new Map<string, { value: ResolvedApiKey | null; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<ResolvedApiKey | null>>();
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly tenants: TenantsService,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(tenantId: string, name: string): Promise<CreatedApiKey> {
    await this.tenants.get(tenantId);
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) {
      throw new AppError(ErrorCode.InvalidArgument, 'API key name must be 1-200 characters');
    }
    const apiKey = newKey();
    const entity = Object.assign(new ApiKey(), {
      id: randomUUID(),
      tenantId,
      name: trimmed,
      keyHash: hashKey(apiKey),
      keyPrefix: apiKey.slice(0, 8),
      createdAt: new Date(),
      revokedAt: null,
      previousKeyHash: null,
      previousValidUntil: null,
      lastUsedAt: null,
      rateLimitPerMinute: null,
    });
    await this.keys.insert(entity);
    return { id: entity.id, name: entity.name, apiKey, webhookUrl: this.webhookUrl(apiKey) };
  }

  async revoke(tenantId: string, id: string): Promise<void> {
    const key = await this.keys.findById(tenantId, id);
    if (!key) throw new AppError(ErrorCode.NotFound, `API key ${id} does not exist in tenant ${tenantId}`);
    await this.keys.revoke(tenantId, id, new Date());
    // Other processes learn of it when their cache entry expires (API_KEY_CACHE_MS).
    this.cache.delete(key.keyHash);
    if (key.previousKeyHash) this.cache.delete(key.previousKeyHash);
  }

  /** A new key for the same source; the old one keeps working for API_KEY_GRACE_SECONDS. */
  async rotate(tenantId: string, id: string): Promise<CreatedApiKey & { previousKeyValidUntil: string }> {
    const key = await this.keys.findById(tenantId, id);
    if (!key) throw new AppError(ErrorCode.NotFound, `API key ${id} does not exist in tenant ${tenantId}`);
    if (key.revokedAt) throw new AppError(ErrorCode.Conflict, `API key ${id} is revoked; create a new one`);
    const apiKey = newKey();
    const previousValidUntil = new Date(Date.now() + this.config.apiKeyGraceSeconds * 1000);
    await this.keys.rotate(tenantId, id, {
      keyHash: hashKey(apiKey),
      keyPrefix: apiKey.slice(0, 8),
      previousKeyHash: key.keyHash,
      previousValidUntil,
    });
    this.cache.delete(key.keyHash);
    return {
      id,
      name: key.name,
      apiKey,
      webhookUrl: this.webhookUrl(apiKey),
      previousKeyValidUntil: previousValidUntil.toISOString(),
    };
  }

  async list(tenantId: string): Promise<ApiKeyView[]> {
    await this.tenants.get(tenantId);
    return (await this.keys.listByTenant(tenantId)).map((key) => ({
      id: key.id,
      name: key.name,
      prefix: key.keyPrefix,
      createdAt: key.createdAt.toISOString(),
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
      revokedAt: key.revokedAt?.toISOString() ?? null,
      signatureScheme: key.signature ? (JSON.parse(key.signature) as SignatureConfig).scheme : null,
      previousKeyValidUntil: key.previousValidUntil && key.previousValidUntil.getTime() > Date.now() ? key.previousValidUntil.toISOString() : null,
      rateLimitPerMinute: key.rateLimitPerMinute,
    }));
  }

  /**
   * Sets the webhooks per minute of one key (null: its tenant's limit again). A key's limit may
   * lower its tenant's, not exceed it: raising one is the operator's, on the tenant.
   */
  async setRateLimit(tenantId: string, id: string, rateLimitPerMinute: number | null): Promise<ApiKeyView> {
    const key = await this.keys.findById(tenantId, id);
    if (!key) throw new AppError(ErrorCode.NotFound, `API key ${id} does not exist in tenant ${tenantId}`);
    if (rateLimitPerMinute !== null) {
      if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1 || rateLimitPerMinute > MAX_RATE_LIMIT) {
        throw new AppError(ErrorCode.InvalidArgument, `rateLimitPerMinute: a whole number from 1 to ${MAX_RATE_LIMIT}, or null for the tenant's limit`);
      }
      const ceiling = this.tenantLimit(await this.tenants.get(tenantId));
      if (ceiling > 0 && rateLimitPerMinute > ceiling) {
        throw new AppError(ErrorCode.InvalidArgument, `rateLimitPerMinute: ${rateLimitPerMinute} is above the tenant's limit of ${ceiling} a minute`);
      }
    }
    await this.keys.setRateLimit(tenantId, id, rateLimitPerMinute);
    // Other processes apply it when their cache entry expires (API_KEY_CACHE_MS).
    this.cache.delete(key.keyHash);
    if (key.previousKeyHash) this.cache.delete(key.previousKeyHash);
    return (await this.list(tenantId)).find((view) => view.id === id)!;
  }

  private tenantLimit(tenant: { rateLimitPerMinute: number | null }): number {
    return tenant.rateLimitPerMinute ?? this.config.rateLimitPerMinute;
  }

  /** The tenant and key behind a webhook URL; 401 for a malformed, unknown or revoked key. */
  async resolve(apiKey: string): Promise<ResolvedApiKey> {
    if (!KEY_PATTERN.test(apiKey)) throw invalidKey();
    const keyHash = hashKey(apiKey);
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    let value: ResolvedApiKey | null;
    if (cached && cached.expiresAt > now) {
      value = cached.value;
      // Read again shortly before the entry expires, so a busy key's requests never wait for it.
      if (cached.expiresAt - now < this.config.apiKeyCacheMs / 4) this.load(keyHash).catch(() => undefined);
    } else {
      value = await this.load(keyHash);
    }
    if (!value) throw invalidKey();
    this.noteUse(value.apiKeyId, now);
    return value;
  }

  /** One read per key at a time: requests that miss together share it. */
  private load(keyHash: string): Promise<ResolvedApiKey | null> {
    let loading = this.loading.get(keyHash);
    if (!loading) {
      loading = this.read(keyHash).finally(() => this.loading.delete(keyHash));
      this.loading.set(keyHash, loading);
    }
    return loading;
  }

  private async read(keyHash: string): Promise<ResolvedApiKey | null> {
    const now = Date.now();
    const found = await this.keys.findActiveByHash(keyHash, new Date(now));
    // The lookup is by hash; the comparison of the stored hash is constant-time all the same.
    const storedHash = found?.keyHash === keyHash ? found.keyHash : found?.previousKeyHash;
    const matches = found && storedHash && timingSafeEqual(Buffer.from(storedHash), Buffer.from(keyHash));
    // The limit travels with the cached key: the webhook path never reads it from the database.
    const value = matches
      ? {
          apiKeyId: found.id,
          apiKeyName: found.name,
          tenantId: found.tenantId,
          signature: this.openSignature(found.signature),
          rateLimitPerMinute: effectiveLimit(found.rateLimitPerMinute, this.tenantLimit(await this.tenants.get(found.tenantId))),
        }
      : null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(keyHash, { value, expiresAt: now + this.config.apiKeyCacheMs });
    return value;
  }

  /**
   * Requires webhooks sent with this key to be signed with the scheme (null: no longer). The
   * secret is stored encrypted; running API processes apply it within API_KEY_CACHE_MS.
   */
  async setSignature(tenantId: string, id: string, config: SignatureConfig | null): Promise<ApiKeyView> {
    const key = await this.keys.findById(tenantId, id);
    if (!key) throw new AppError(ErrorCode.NotFound, `API key ${id} does not exist in tenant ${tenantId}`);
    if (config) checkSignatureConfig(config);
    await this.keys.setSignature(tenantId, id, config ? JSON.stringify({ ...config, secret: this.secrets.seal(config.secret) }) : null);
    this.cache.delete(key.keyHash);
    return (await this.list(tenantId)).find((view) => view.id === id)!;
  }

  private openSignature(stored: string | null): SignatureConfig | null {
    if (!stored) return null;
    const config = JSON.parse(stored) as SignatureConfig;
    return { ...config, secret: this.secrets.open(config.secret) };
  }

  /** Last use is written at most once a minute per key and process, off the request's path. */
  private noteUse(apiKeyId: string, now: number): void {
    if (now - (this.lastUsedWritten.get(apiKeyId) ?? 0) < LAST_USED_EVERY_MS) return;
    if (this.lastUsedWritten.size >= CACHE_LIMIT) this.lastUsedWritten.clear();
    this.lastUsedWritten.set(apiKeyId, now);
    this.keys.markUsed(apiKeyId, new Date(now)).catch((error: Error) => this.logger.warn(`Last use of a key not saved: ${error.message}`));
  }

  webhookUrl(apiKey: string): string {
    return `${this.config.publicBaseUrl}/webhooks/${apiKey}`;
  }
}

/** The key's own limit, never above its tenant's (a tenant lowered after the key was set still holds). */
function effectiveLimit(own: number | null, tenant: number): number {
  if (own === null) return tenant;
  return tenant > 0 ? Math.min(own, tenant) : own;
}

function checkSignatureConfig(config: SignatureConfig): void {
  const problem = signatureConfigProblem(config);
  if (problem) throw new AppError(ErrorCode.InvalidArgument, problem);
}

function newKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

function hashKey(apiKey: string): string {
  // The one-shot form: it runs for every webhook, and allocates less than createHash().
  return hash('sha256', apiKey, 'hex');
}

function invalidKey(): AppError {
  return new AppError(ErrorCode.InvalidApiKey, 'Unknown or revoked API key');
}
