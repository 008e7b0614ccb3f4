import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../auth/scopes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { TenantsService, type TenantView } from '../tenants/tenants.service.js';
import { normalizeEmail, UsersService } from '../users/users.service.js';
import { ConsoleSession } from './console-session.entity.js';
import { SessionsRepository } from './sessions.repository.js';

export const SESSION_COOKIE = 'hookflow_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Failures per address may be more than per email: several people can share one address. */
const IP_LIMIT_FACTOR = 4;

export interface SessionView {
  email: string;
  platformAdmin: boolean;
  /** The tenants the user may open, with its role on each. */
  tenants: Array<TenantView & { role: 'platform-admin' | 'analyst' | 'viewer'; scopes: string[] }>;
  csrfToken: string;
  expiresAt: string;
}

export interface SignedIn extends SessionView {
  /** Goes into the HttpOnly cookie only; never into a response body or a log. */
  token: string;
}

/**
 * Console sign-in: sessions in the database (so every API process knows them), identified by a
 * random token whose hash only is stored, and a CSRF token that unsafe requests must echo in a
 * header — a cross-site form can send the cookie but cannot read or set that header.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async signIn(email: string, password: string, ip: string, now = new Date()): Promise<SignedIn> {
    const emailSubject = `email:${normalizeEmail(email).slice(0, 254)}`;
    const ipSubject = `ip:${ip}`;
    const since = new Date(now.getTime() - this.config.consoleSignInWindowSeconds * 1000);
    await this.refuseWhenLimited(emailSubject, this.config.consoleSignInLimit, since, now);
    await this.refuseWhenLimited(ipSubject, this.config.consoleSignInLimit * IP_LIMIT_FACTOR, since, now);
    const user = await this.users.verify(email, password);
    if (!user) {
      await this.sessions.addFailures([emailSubject, ipSubject], now);
      throw new AppError(ErrorCode.Unauthenticated, 'The email or the password is wrong');
    }
    await this.sessions.clearFailures(emailSubject);
    // Sign-ins are rare: a good moment to forget what has expired.
    await this.sessions.deleteExpired(now);
    await this.sessions.deleteFailuresBefore(since);
    const token = randomBytes(32).toString('base64url');
    const session = Object.assign(new ConsoleSession(), {
      tokenHash: hashToken(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.consoleSessionTtlSeconds * 1000),
    });
    await this.sessions.insert(session);
    return { token, ...(await this.view(session)) };
  }

  async signOut(token: string): Promise<void> {
    await this.sessions.delete(hashToken(token));
  }

  async current(token: string): Promise<SessionView> {
    const session = await this.sessions.findValid(hashToken(token), new Date());
    if (!session) throw expired();
    return this.view(session);
  }

  /**
   * The principal of a valid session. Unsafe methods need the session's CSRF token in the
   * X-CSRF-Token header (403 otherwise).
   */
  async principal(token: string, method: string, csrfHeader: string | undefined): Promise<Principal> {
    const session = await this.sessions.findValid(hashToken(token), new Date());
    if (!session) throw expired();
    if (!SAFE_METHODS.has(method) && !sameSecret(csrfHeader, session.csrfToken)) {
      throw new AppError(ErrorCode.Forbidden, `A console request that changes something needs the session's CSRF token in the X-CSRF-Token header`);
    }
    const access = await this.users.access(session.userId);
    if (!access) throw expired();
    return access.platform
      ? { clientId: `user:${access.user.email}`, kind: 'platform', tenantId: null, scopes: ['platform'] }
      : { clientId: `user:${access.user.email}`, kind: 'user', tenantId: null, scopes: [], tenantScopes: access.tenantScopes };
  }

  private async view(session: ConsoleSession): Promise<SessionView> {
    const access = await this.users.access(session.userId);
    if (!access) throw expired();
    const all = await this.tenants.list();
    const tenants = access.platform
      ? all.map((tenant) => ({ ...tenant, role: 'platform-admin' as const, scopes: ['platform'] }))
      : all
          .filter((tenant) => access.tenantScopes[tenant.id])
          .map((tenant) => ({
            ...tenant,
            role: access.tenantScopes[tenant.id].includes('processes:write') ? ('analyst' as const) : ('viewer' as const),
            scopes: access.tenantScopes[tenant.id],
          }));
    return {
      email: access.user.email,
      platformAdmin: access.platform,
      tenants,
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  }

  private async refuseWhenLimited(subject: string, limit: number, since: Date, now: Date): Promise<void> {
    if ((await this.sessions.countFailures(subject, since)) < limit) return;
    const oldest = await this.sessions.oldestFailure(subject, since);
    const retryAfter = oldest
      ? Math.max(1, Math.ceil((oldest.getTime() + this.config.consoleSignInWindowSeconds * 1000 - now.getTime()) / 1000))
      : this.config.consoleSignInWindowSeconds;
    throw new AppError(ErrorCode.RateLimited, `Too many failed sign-ins; try again in ${retryAfter} seconds`, {
      'Retry-After': String(retryAfter),
    });
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function expired(): AppError {
  return new AppError(ErrorCode.Unauthenticated, 'The console session has ended or expired; sign in again');
}

/** The session token from a Cookie header, if there is one. */
export function sessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || null;
  }
  return null;
}
