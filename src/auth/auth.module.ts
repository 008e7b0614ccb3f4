import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { OAuthClientsRepository } from './oauth-clients.repository.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthService } from './oauth.service.js';

/** OAuth 2.0 clients, the token endpoint and the guard of the admin API. */
@Module({
  imports: [TenantsModule],
  controllers: [OAuthController],
  providers: [OAuthClientsRepository, OAuthService, ApiAuthGuard],
  exports: [OAuthService, ApiAuthGuard],
})
export class AuthModule {}
