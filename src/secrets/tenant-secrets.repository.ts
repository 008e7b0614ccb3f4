import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { TenantSecret } from './tenant-secret.entity.js';

@Injectable()
export class TenantSecretsRepository {
  private readonly secrets: Repository<TenantSecret>;

  constructor(dataSource: DataSource) {
    this.secrets = dataSource.getRepository(TenantSecret);
  }

  /** Creates or replaces the secret; its creation date is kept on replace. */
  async put(tenantId: string, name: string, sealedValue: string, at: Date): Promise<TenantSecret> {
    const existing = await this.secrets.findOneBy({ tenantId, name });
    const secret = Object.assign(new TenantSecret(), { tenantId, name, sealedValue, createdAt: existing?.createdAt ?? at, updatedAt: at });
    await this.secrets.save(secret);
    return secret;
  }

  find(tenantId: string, name: string): Promise<TenantSecret | null> {
    return this.secrets.findOneBy({ tenantId, name });
  }

  listByTenant(tenantId: string): Promise<TenantSecret[]> {
    return this.secrets.find({ where: { tenantId }, order: { name: 'ASC' } });
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    const result = await this.secrets.delete({ tenantId, name });
    return (result.affected ?? 0) > 0;
  }
}
