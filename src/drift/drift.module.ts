import { TypeOrmModule } from '@nestjs/typeorm';
import { ParameterStat, ParameterWatch } from './parameter-stat.entity.js';
import { DriftEvent } from './drift-event.entity.js';
import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ParameterDriftRepository } from './parameter-drift.repository.js';
import { ParameterDriftService } from './parameter-drift.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ParameterWatch, ParameterStat, DriftEvent]), TenantsModule],
  providers: [ParameterDriftRepository, ParameterDriftService],
  exports: [ParameterDriftService],
})
export class DriftModule {}
