import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../common/app-error.js';
import { OAuthService } from './oauth.service.js';
import { SCOPE_KEY, type Principal, type Scope } from './scopes.js';

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

/**
 * Every admin route needs a valid access token (401 otherwise) whose client may act on the
 * tenant in the path and holds the route's scope (403 otherwise). A platform client may act on
 * every tenant; a tenant client only on its own.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly oauth: OAuthService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? this.oauth.verify(match[1]) : null;
    if (!principal) {
      throw new AppError(
        ErrorCode.Unauthenticated,
        match ? 'The access token is invalid or expired' : 'An access token is required: Authorization: Bearer <token> (POST /oauth/token)',
        { 'WWW-Authenticate': 'Bearer realm="hookflow"' },
      );
    }
    request.principal = principal;
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE_KEY, [context.getHandler(), context.getClass()]);
    const tenantId = (request.params as Record<string, string | undefined>).tenantId;
    if (principal.kind === 'tenant' && tenantId !== undefined && tenantId !== principal.tenantId) {
      throw new AppError(ErrorCode.Forbidden, 'This client may not act on that tenant');
    }
    if (scope && !principal.scopes.includes('platform') && !principal.scopes.includes(scope)) {
      throw new AppError(ErrorCode.Forbidden, scope === 'platform' ? 'Only a platform client may do this' : `This needs the scope "${scope}"`);
    }
    return true;
  }
}
