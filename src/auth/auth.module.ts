import { TypeOrmModule } from '@nestjs/typeorm';
import { OAuthClient } from './oauth-client.entity.js';
import { ConsoleUser } from './console-user.entity.js';
import { ConsoleUserRole } from './console-user-role.entity.js';
import { ConsoleSession } from './console-session.entity.js';
import { SignInFailure } from './sign-in-failure.entity.js';
import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { OAuthClientsRepository } from './oauth-clients.repository.js';
import { OAuthService } from './oauth.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Identity: OAuth 2.0 clients and their tokens, console users with their roles, console sessions
 * and sign-in, and the guard of the admin API that accepts either a token or a session.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient, ConsoleUser, ConsoleUserRole, ConsoleSession, SignInFailure]), TenantsModule],
  providers: [OAuthClientsRepository, OAuthService, UsersRepository, UsersService, SessionsRepository, SessionsService, ApiAuthGuard],
  // The guard is built in the modules of the controllers it guards: they need its dependencies too.
  exports: [OAuthService, UsersService, SessionsService, ApiAuthGuard],
})
export class AuthModule {}
