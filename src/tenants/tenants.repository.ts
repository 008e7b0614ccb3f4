import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { Tenant } from './tenant.entity.js';

@Injectable()
export class TenantsRepository {
  private readonly tenants: Repository<Tenant>;

  constructor(dataSource: DataSource) {
    this.tenants = dataSource.getRepository(Tenant);
  }

  async insert(tenant: Tenant): Promise<void> {
    await this.tenants.insert(tenant);
  }

  async setRateLimit(id: string, rateLimitPerMinute: number | null): Promise<void> {
    await this.tenants.update({ id }, { rateLimitPerMinute });
  }

  findById(id: string): Promise<Tenant | null> {
    return this.tenants.findOneBy({ id });
  }

  list(): Promise<Tenant[]> {
    return this.tenants.find({ order: { createdAt: 'ASC' } });
  }
}
