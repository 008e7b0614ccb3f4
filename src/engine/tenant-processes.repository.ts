import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { TenantProcess } from './tenant-process.entity.js';

@Injectable()
export class TenantProcessesRepository {
  private readonly settings: Repository<TenantProcess>;

  constructor(dataSource: DataSource) {
    this.settings = dataSource.getRepository(TenantProcess);
  }

  listByTenant(tenantId: string): Promise<TenantProcess[]> {
    return this.settings.findBy({ tenantId });
  }

  async setActive(tenantId: string, processId: string, active: boolean): Promise<void> {
    await this.settings.upsert({ tenantId, processId, active, updatedAt: new Date() }, ['tenantId', 'processId']);
  }
}
