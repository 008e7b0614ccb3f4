import { Module } from '@nestjs/common';
import { SessionsModule } from '../console/sessions.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { ClientsController } from './clients.controller.js';
import { OAuthClientsRepository } from './oauth-clients.repository.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthService } from './oauth.service.js';

/** OAuth 2.0 clients, the token endpoint and the guard of the admin API (tokens and console sessions). */
@Module({
  imports: [TenantsModule, SessionsModule],
  controllers: [OAuthController, ClientsController],
  providers: [OAuthClientsRepository, OAuthService, ApiAuthGuard],
  // The guard is built in the modules of the controllers it guards: they need its dependencies too.
  exports: [OAuthService, ApiAuthGuard, SessionsModule],
})
export class AuthModule {}
