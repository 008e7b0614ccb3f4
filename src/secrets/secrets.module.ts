import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantSecret } from './tenant-secret.entity.js';
import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TenantSecretsRepository } from './tenant-secrets.repository.js';
import { TenantSecretsService } from './tenant-secrets.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([TenantSecret]), TenantsModule],
  providers: [TenantSecretsRepository, TenantSecretsService],
  exports: [TenantSecretsService],
})
export class SecretsModule {}
