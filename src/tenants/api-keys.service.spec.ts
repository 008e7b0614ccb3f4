import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/config.js';
import type { SecretBox } from '../database/secret-box.js';
import type { ApiKey } from './api-key.entity.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import type { TenantsService } from './tenants.service.js';

const CACHE_MS = 200;

/** The service over a key table that counts its reads and takes a while to answer. */
function keysService() {
  const apiKey = `hf_${randomBytes(32).toString('base64url')}`;
  const row = {
    id: 'k1',
    name: 'Landing page',
    tenantId: 't1',
    keyHash: createHash('sha256').update(apiKey).digest('hex'),
    previousKeyHash: null,
    signature: null,
    revokedAt: null as Date | null,
    rateLimitPerMinute: null as number | null,
  };
  let reads = 0;
  const keys = {
    async findActiveByHash(keyHash: string) {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return row.keyHash === keyHash && !row.revokedAt ? (row as unknown as ApiKey) : null;
    },
    markUsed: async () => undefined,
  } as unknown as ApiKeysRepository;
  const tenant = { rateLimitPerMinute: null as number | null };
  const tenants = { get: async () => tenant } as unknown as TenantsService;
  const service = new ApiKeysService(keys, tenants, {} as SecretBox, { apiKeyCacheMs: CACHE_MS, rateLimitPerMinute: 6000 } as AppConfig);
  return { service, apiKey, row, tenant, reads: () => reads };
}

describe('ApiKeysService.resolve', () => {
  it('requests that arrive together with a key not in the cache share one read', async () => {
    const { service, apiKey, reads } = keysService();
    const resolved = await Promise.all(Array.from({ length: 50 }, () => service.resolve(apiKey)));
    expect(new Set(resolved.map((key) => key.tenantId))).toEqual(new Set(['t1']));
    expect(reads()).toBe(1);
  });

  it('reads a busy key again before its entry expires, and a revocation still takes effect within the cache time', async () => {
    const { service, apiKey, row, reads } = keysService();
    await service.resolve(apiKey);
    // In the last quarter of the entry's life a request is answered from the cache and starts a read.
    await new Promise((resolve) => setTimeout(resolve, CACHE_MS * 0.8));
    await service.resolve(apiKey);
    expect(reads()).toBe(2);
    row.revokedAt = new Date();
    await new Promise((resolve) => setTimeout(resolve, CACHE_MS + 50));
    await expect(service.resolve(apiKey)).rejects.toThrow('Unknown or revoked API key');
  });

  it.each<[number | null, number | null, number]>([
    [null, null, 6000],
    [null, 100, 100],
    [3, null, 3],
    [3, 100, 3],
    [500, 100, 100],
    [500, 0, 500],
  ])('the cached key carries its rate limit: own %p, tenant %p → %p a minute', async (own, tenantLimit, expected) => {
    const { service, apiKey, row, tenant } = keysService();
    row.rateLimitPerMinute = own;
    tenant.rateLimitPerMinute = tenantLimit;
    expect((await service.resolve(apiKey)).rateLimitPerMinute).toBe(expected);
  });
});
