import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SessionsService } from './sessions.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { AccessTokens } from './access-tokens.js';
import { OAuthClient, type ClientKind } from './oauth-client.entity.js';
import { OAuthClientsRepository } from './oauth-clients.repository.js';
import { SettingsRepository } from '../database/settings.repository.js';
import { SCOPES, type Principal } from './scopes.js';
import { hashSecret, verifySecret } from './secret-hash.js';

/** Failed client authentications per address, and per client id, before a delay. */
export const TOKEN_FAILURE_LIMIT = 20;

/** An error of the token endpoint, in the terms of RFC 6749 §5.2. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'slow_down',
    readonly description: string,
    /** With slow_down: seconds until the next attempt is taken. */
    readonly retryAfter?: number,
  ) {
    super(description);
  }

  get status(): number {
    if (this.error === 'slow_down') return 429;
    return this.error === 'invalid_client' ? 401 : 400;
  }

  /** The service's error code, sent beside the fields of §5.2, which stay as the RFC defines them. */
  get code(): ErrorCode {
    return this.error === 'invalid_client' ? ErrorCode.Unauthenticated : ErrorCode.InvalidArgument;
  }
}

export interface ClientView {
  clientId: string;
  kind: ClientKind;
  tenantId: string | null;
  scopes: string[];
  generation: number;
  createdAt: string;
  revokedAt: string | null;
}

function toView(client: OAuthClient): ClientView {
  return {
    clientId: client.clientId,
    kind: client.kind,
    tenantId: client.tenantId,
    scopes: client.kind === 'platform' ? ['platform'] : client.scopes,
    generation: client.generation,
    createdAt: new Date(client.createdAt).toISOString(),
    revokedAt: client.revokedAt ? new Date(client.revokedAt).toISOString() : null,
  };
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** OAuth 2.0 clients of the admin API and the client-credentials grant (RFC 6749 §4.4). */
@Injectable()
export class OAuthService implements OnModuleInit {
  private readonly logger = new Logger(OAuthService.name);
  private tokens: AccessTokens | null = null;
  /** Generation of each client (null: unknown or revoked), as last read. */
  private readonly states = new Map<string, { generation: number | null; expiresAt: number }>();

  constructor(
    private readonly clients: OAuthClientsRepository,
    private readonly settings: SettingsRepository,
    private readonly tenants: TenantsService,
    private readonly attempts: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // One signing key for every API process: from the environment, or made once and kept in the database.
    const key = this.config.tokenSigningKey ?? (await this.settings.once('token-signing-key', randomBytes(32).toString('base64url')));
    this.tokens = new AccessTokens(Buffer.from(key));
    const admin = this.config.adminClient;
    if (!admin) return;
    const existing = await this.clients.findById(admin.id);
    if (!existing) {
      await this.insert(admin.id, admin.secret, 'platform', null, []);
      this.logger.log(`Created the platform client "${admin.id}" from ADMIN_CLIENT_ID`);
    } else if (existing.revokedAt) {
      // A revocation is deliberate: the environment does not undo it.
      this.logger.warn(`The platform client "${admin.id}" of ADMIN_CLIENT_ID is revoked; it stays revoked`);
    } else if (!(await verifySecret(admin.secret, existing.secretHash))) {
      // A changed ADMIN_CLIENT_SECRET is a rotation: the old secret and its tokens stop working.
      await this.clients.rotate(admin.id, await hashSecret(admin.secret));
      this.logger.log(`Rotated the platform client "${admin.id}": ADMIN_CLIENT_SECRET changed`);
    }
  }

  async listClients(): Promise<ClientView[]> {
    return (await this.clients.list()).map(toView);
  }

  /** A new secret, answered once; the old secret and every token issued with it stop working. */
  async rotateClient(clientId: string): Promise<{ clientId: string; clientSecret: string }> {
    const client = await this.requireClient(clientId);
    if (client.revokedAt) throw new AppError(ErrorCode.Conflict, `The client ${clientId} is revoked; create a new one`);
    const clientSecret = `hfs_${randomBytes(32).toString('base64url')}`;
    await this.clients.rotate(clientId, await hashSecret(clientSecret));
    this.states.delete(clientId);
    return { clientId, clientSecret };
  }

  /** The client gets no more tokens, and those it has stop working (within API_KEY_CACHE_MS elsewhere). */
  async revokeClient(clientId: string): Promise<ClientView> {
    const client = await this.requireClient(clientId);
    if (!client.revokedAt) await this.clients.revoke(clientId, new Date());
    this.states.delete(clientId);
    return toView((await this.clients.findById(clientId))!);
  }

  private async requireClient(clientId: string): Promise<OAuthClient> {
    const client = await this.clients.findById(clientId);
    if (!client) throw new AppError(ErrorCode.NotFound, `No OAuth client ${clientId}`);
    return client;
  }

  /** A new client; its secret is answered once and stored only as a hash. */
  async createClient(kind: ClientKind, tenantId: string | null, scopes: string[]): Promise<{ clientId: string; clientSecret: string }> {
    if (kind === 'tenant') {
      if (!tenantId) throw new AppError(ErrorCode.InvalidArgument, 'A tenant client needs a tenant');
      await this.tenants.get(tenantId);
      const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
      if (unknown.length > 0) throw new AppError(ErrorCode.InvalidArgument, `Unknown scopes: ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
      if (scopes.length === 0) throw new AppError(ErrorCode.InvalidArgument, `A tenant client needs scopes (known: ${SCOPES.join(', ')})`);
    }
    const clientId = `hfc_${randomBytes(12).toString('base64url')}`;
    const clientSecret = `hfs_${randomBytes(32).toString('base64url')}`;
    await this.insert(clientId, clientSecret, kind, kind === 'tenant' ? tenantId : null, kind === 'tenant' ? scopes : []);
    return { clientId, clientSecret };
  }

  /**
   * Failed client authentications per address and per client id, each TOKEN_FAILURE_LIMIT in the
   * sign-in window, then a growing delay (as console sign-ins). Per client id because a guess may
   * come from many addresses; its limit is the one a stranger can impose on a client, so it is
   * wider than a person's and only failures count.
   */
  private async takeAttempts(clientId: string, ip: string): Promise<string[]> {
    const taken: string[] = [];
    try {
      taken.push(await this.attempts.takeAttempt(`oauth-ip:${ip}`, TOKEN_FAILURE_LIMIT));
      taken.push(await this.attempts.takeAttempt(`oauth-client:${clientId.slice(0, 200)}`, TOKEN_FAILURE_LIMIT));
      return taken;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== ErrorCode.RateLimited) throw error;
      const retryAfter = Number(error.headers['Retry-After']) || 1;
      throw new OAuthError('slow_down', `Too many failed client authentications; try again in ${retryAfter} seconds`, retryAfter);
    }
  }

  /** ip: the caller's address, for the limit of failed authentications (none when omitted). */
  async token(grantType: unknown, clientId: string | undefined, clientSecret: string | undefined, scope: unknown, ip?: string): Promise<TokenResponse> {
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', `Only the client_credentials grant is supported, not "${String(grantType).slice(0, 50)}"`);
    }
    if (!clientId || !clientSecret) throw new OAuthError('invalid_client', 'Client authentication failed');
    // Counted before the slow hash, so parallel guesses cannot outrun the limit.
    const attempts = ip === undefined ? [] : await this.takeAttempts(clientId, ip);
    const client = await this.clients.findById(clientId);
    // The same answer, after the same slow hash, whether the client is unknown or the secret wrong.
    const valid = client ? await verifySecret(clientSecret, client.secretHash) : (await hashSecret(clientSecret), false);
    if (!client || !valid || client.revokedAt) throw new OAuthError('invalid_client', 'Client authentication failed');
    for (const attempt of attempts) await this.attempts.forgetAttempt(attempt);
    const allowed = client.kind === 'platform' ? ['platform', ...SCOPES] : client.scopes;
    let scopes = client.kind === 'platform' ? ['platform'] : client.scopes;
    if (scope !== undefined && scope !== '') {
      if (typeof scope !== 'string') throw new OAuthError('invalid_request', 'scope must be a space-separated string');
      scopes = scope.split(' ').filter(Boolean);
      const refused = scopes.filter((requested) => !allowed.includes(requested));
      if (refused.length > 0) throw new OAuthError('invalid_scope', `Not allowed for this client: ${refused.join(', ')}`);
    }
    const principal: Principal = { clientId: client.clientId, kind: client.kind, tenantId: client.tenantId, scopes, generation: client.generation };
    return {
      access_token: this.tokens!.issue(principal, this.config.tokenTtlSeconds),
      token_type: 'Bearer',
      expires_in: this.config.tokenTtlSeconds,
      scope: scopes.join(' '),
    };
  }

  /**
   * The principal of a valid token whose client is neither revoked nor rotated since. The
   * client's state is cached for API_KEY_CACHE_MS, so a revocation or rotation made by another
   * process applies here within that time.
   */
  async verify(token: string, now = Date.now()): Promise<Principal | null> {
    const principal = this.tokens!.verify(token, now);
    if (!principal) return null;
    let cached = this.states.get(principal.clientId);
    if (!cached || cached.expiresAt <= now) {
      const client = await this.clients.findById(principal.clientId);
      cached = { generation: client && !client.revokedAt ? client.generation : null, expiresAt: now + this.config.apiKeyCacheMs };
      if (this.states.size > 10_000) this.states.clear();
      this.states.set(principal.clientId, cached);
    }
    return cached.generation === principal.generation ? principal : null;
  }

  private async insert(clientId: string, secret: string, kind: ClientKind, tenantId: string | null, scopes: string[]) {
    await this.clients.insert(
      Object.assign(new OAuthClient(), {
        clientId,
        secretHash: await hashSecret(secret),
        kind,
        tenantId,
        scopes,
        createdAt: new Date(),
        generation: 1,
        revokedAt: null,
      }),
    );
  }
}
