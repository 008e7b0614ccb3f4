import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TenantSecretsRepository } from './tenant-secrets.repository.js';
import { TenantSecretsService } from './tenant-secrets.service.js';

@Module({
  imports: [TenantsModule],
  providers: [TenantSecretsRepository, TenantSecretsService],
  exports: [TenantSecretsService],
})
export class SecretsModule {}
