import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** People who use the web console, and their roles. */
@Module({
  imports: [TenantsModule],
  providers: [UsersRepository, UsersService],
  exports: [UsersService],
})
export class UsersModule {}
