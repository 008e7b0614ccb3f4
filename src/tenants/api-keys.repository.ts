import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, MoreThan, Repository } from 'typeorm';
import { ApiKey } from './api-key.entity.js';

@Injectable()
export class ApiKeysRepository {
  private readonly keys: Repository<ApiKey>;

  constructor(dataSource: DataSource) {
    this.keys = dataSource.getRepository(ApiKey);
  }

  async insert(key: ApiKey): Promise<void> {
    await this.keys.insert(key);
  }

  /** The unrevoked key with this hash: the current one, or the previous one within its grace period. */
  async findActiveByHash(keyHash: string, now: Date): Promise<ApiKey | null> {
    return (
      (await this.keys.findOneBy({ keyHash, revokedAt: IsNull() })) ??
      (await this.keys.findOneBy({ previousKeyHash: keyHash, previousValidUntil: MoreThan(now), revokedAt: IsNull() }))
    );
  }

  findById(tenantId: string, id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ tenantId, id });
  }

  listByTenant(tenantId: string): Promise<ApiKey[]> {
    return this.keys.find({ where: { tenantId }, order: { createdAt: 'ASC' } });
  }

  async revoke(tenantId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.keys.update({ tenantId, id, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  async rotate(tenantId: string, id: string, change: Pick<ApiKey, 'keyHash' | 'keyPrefix' | 'previousKeyHash' | 'previousValidUntil'>) {
    await this.keys.update({ tenantId, id }, change);
  }

  async setSignature(tenantId: string, id: string, signature: string | null): Promise<void> {
    await this.keys.update({ tenantId, id }, { signature });
  }

  async setRateLimit(tenantId: string, id: string, rateLimitPerMinute: number | null): Promise<void> {
    await this.keys.update({ tenantId, id }, { rateLimitPerMinute });
  }

  async markUsed(id: string, at: Date): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: at });
  }
}
