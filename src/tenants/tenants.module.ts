import { TypeOrmModule } from '@nestjs/typeorm';
import { Tenant } from './tenant.entity.js';
import { ApiKey } from './api-key.entity.js';
import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant, ApiKey]), CatalogueModule],
  providers: [TenantsRepository, ApiKeysRepository, TenantsService, ApiKeysService],
  exports: [TenantsService, ApiKeysService],
})
export class TenantsModule {}
