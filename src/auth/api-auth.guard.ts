import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../common/app-error.js';
import { SessionsService, sessionCookie, CSRF_HEADER } from './sessions.service.js';
import { checkAdminBodyLimits } from './admin-body-limits.js';
import { OAuthService } from './oauth.service.js';
import { SCOPE_KEY, type Principal, type Scope } from './scopes.js';

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

/**
 * Every admin route needs a valid access token (401 otherwise) whose client may act on the
 * tenant in the path and holds the route's scope (403 otherwise). A platform client may act on
 * every tenant; a tenant client only on its own. Without an Authorization header, a console
 * session cookie stands in for the token: its user acts with the scopes of its role on the
 * tenant in the path, and unsafe methods must carry the session's CSRF token.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly oauth: OAuthService,
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Before any pipe: class-transformer recurses into bodies and overflows the stack on deep ones.
    checkAdminBodyLimits(request.body);
    const header = request.headers.authorization ?? '';
    const session = header ? null : sessionCookie(request.headers.cookie);
    if (session) return this.allow(context, request, await this.sessions.principal(session, request.method, csrfHeader(request)));
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? await this.oauth.verify(match[1]) : null;
    if (!principal) {
      throw new AppError(
        ErrorCode.Unauthenticated,
        match ? 'The access token is invalid or expired' : 'An access token is required: Authorization: Bearer <token> (POST /oauth/token)',
        { 'WWW-Authenticate': 'Bearer realm="hookflow"' },
      );
    }
    return this.allow(context, request, principal);
  }

  private allow(context: ExecutionContext, request: AuthenticatedRequest, principal: Principal): boolean {
    request.principal = principal;
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE_KEY, [context.getHandler(), context.getClass()]);
    const tenantId = (request.params as Record<string, string | undefined>).tenantId;
    if (principal.kind === 'tenant' && tenantId !== undefined && tenantId !== principal.tenantId) {
      throw new AppError(ErrorCode.Forbidden, 'This client may not act on that tenant');
    }
    if (principal.tenantScopes) {
      // A console user: the scopes of its role on the tenant in the path; on routes without a
      // tenant (the tenant list), those of any of its roles.
      // Object.hasOwn: a tenant id such as "__proto__" or "toString" must not find Object.prototype's members.
      const granted =
        tenantId !== undefined
          ? Object.hasOwn(principal.tenantScopes, tenantId)
            ? principal.tenantScopes[tenantId]
            : undefined
          : Object.values(principal.tenantScopes).flat();
      if (!granted) throw new AppError(ErrorCode.Forbidden, 'You have no role on that tenant');
      if (scope && !granted.includes(scope)) {
        throw new AppError(
          ErrorCode.Forbidden,
          scope === 'platform' ? 'Only a platform admin may do this' : `Your role does not allow this (it needs "${scope}")`,
        );
      }
      return true;
    }
    if (scope && !principal.scopes.includes('platform') && !principal.scopes.includes(scope)) {
      throw new AppError(ErrorCode.Forbidden, scope === 'platform' ? 'Only a platform client may do this' : `This needs the scope "${scope}"`);
    }
    return true;
  }
}

function csrfHeader(request: FastifyRequest): string | undefined {
  const value = request.headers[CSRF_HEADER];
  return Array.isArray(value) ? value[0] : value;
}
