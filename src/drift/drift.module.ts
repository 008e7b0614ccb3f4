import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ParameterDriftRepository } from './parameter-drift.repository.js';
import { ParameterDriftService } from './parameter-drift.service.js';

@Module({
  imports: [TenantsModule],
  providers: [ParameterDriftRepository, ParameterDriftService],
  exports: [ParameterDriftService],
})
export class DriftModule {}
