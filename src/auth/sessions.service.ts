import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './scopes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { TenantsService, type TenantView } from '../tenants/tenants.service.js';
import { normalizeEmail, UsersService } from './users.service.js';
import { ConsoleSession } from './console-session.entity.js';
import { SessionsRepository } from './sessions.repository.js';

export const SESSION_COOKIE = 'hookflow_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Attempts per address may be more than per (email, address): several people can share one address. */
const IP_LIMIT_FACTOR = 4;
/** The wait after the first attempt past the limit; each further one doubles it. */
const MIN_DELAY_SECONDS = 30;

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
    // Per (email, address) and per address, never per email alone: otherwise anyone could keep
    // anyone else out by failing with their email. The right password from elsewhere still works.
    const pairSubject = `pair:${normalizeEmail(email).slice(0, 240)} ${ip}`;
    const ipSubject = `ip:${ip}`;
    const since = new Date(now.getTime() - this.config.consoleSignInWindowSeconds * 1000);
    const ipAttempt = await this.takeAttempt(ipSubject, this.config.consoleSignInLimit * IP_LIMIT_FACTOR, now);
    await this.takeAttempt(pairSubject, this.config.consoleSignInLimit, now);
    const user = await this.users.verify(email, password);
    if (!user) throw new AppError(ErrorCode.Unauthenticated, 'The email or the password is wrong');
    await this.sessions.clearFailures(pairSubject);
    // A right password is no failure of the address either (others may sign in from it).
    await this.sessions.deleteAttempt(ipAttempt);
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

  /**
   * Counts the attempt first, then looks: of parallel attempts, the last to be stored sees all
   * the others, so no more than the limit get their password checked, on any number of API
   * processes. Past the limit an attempt must wait after the latest one, twice as long each time
   * (MIN_DELAY_SECONDS, then doubling, at most the window). A refused attempt takes its row back,
   * so waiting is enough to try again. Answers the attempt's id; the OAuth token endpoint counts
   * its client authentications here too (subjects of its own).
   */
  async takeAttempt(subject: string, limit: number, now = new Date()): Promise<string> {
    const since = new Date(now.getTime() - this.config.consoleSignInWindowSeconds * 1000);
    const id = await this.sessions.addAttempt(subject, now);
    const attempts = await this.sessions.countAttempts(subject, since);
    if (attempts <= limit) return id;
    const windowSeconds = this.config.consoleSignInWindowSeconds;
    const delaySeconds = Math.min(windowSeconds, MIN_DELAY_SECONDS * 2 ** Math.min(attempts - limit - 1, 30));
    const latest = await this.sessions.latestOtherAttempt(subject, since, id);
    const waitMs = latest ? latest.getTime() + delaySeconds * 1000 - now.getTime() : 0;
    if (waitMs <= 0) return id;
    await this.sessions.deleteAttempt(id);
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError(ErrorCode.RateLimited, `Too many failed sign-ins; try again in ${retryAfter} seconds`, {
      'Retry-After': String(retryAfter),
    });
  }

  /** Takes back an attempt that succeeded: only failures count. */
  async forgetAttempt(id: string): Promise<void> {
    await this.sessions.deleteAttempt(id);
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
