import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository } from 'typeorm';
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

  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
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
}
