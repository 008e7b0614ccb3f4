import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { AccessTokens } from './access-tokens.js';
import { OAuthClient, type ClientKind } from './oauth-client.entity.js';
import { OAuthClientsRepository } from './oauth-clients.repository.js';
import { SettingsRepository } from '../database/settings.repository.js';
import { SCOPES, type Principal } from './scopes.js';
import { hashSecret, verifySecret } from './secret-hash.js';

/** An error of the token endpoint, in the terms of RFC 6749 §5.2. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
  ) {
    super(description);
  }

  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }

  /** The service's error code, sent beside the fields of §5.2, which stay as the RFC defines them. */
  get code(): ErrorCode {
    return this.error === 'invalid_client' ? ErrorCode.Unauthenticated : ErrorCode.InvalidArgument;
  }
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

  constructor(
    private readonly clients: OAuthClientsRepository,
    private readonly settings: SettingsRepository,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // One signing key for every API process: from the environment, or made once and kept in the database.
    const key = this.config.tokenSigningKey ?? (await this.settings.once('token-signing-key', randomBytes(32).toString('base64url')));
    this.tokens = new AccessTokens(Buffer.from(key));
    const admin = this.config.adminClient;
    if (admin && !(await this.clients.findById(admin.id))) {
      await this.insert(admin.id, admin.secret, 'platform', null, []);
      this.logger.log(`Created the platform client "${admin.id}" from ADMIN_CLIENT_ID`);
    }
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

  async token(grantType: unknown, clientId: string | undefined, clientSecret: string | undefined, scope: unknown): Promise<TokenResponse> {
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', `Only the client_credentials grant is supported, not "${String(grantType).slice(0, 50)}"`);
    }
    if (!clientId || !clientSecret) throw new OAuthError('invalid_client', 'Client authentication failed');
    const client = await this.clients.findById(clientId);
    // The same answer, after the same slow hash, whether the client is unknown or the secret wrong.
    const valid = client ? await verifySecret(clientSecret, client.secretHash) : (await hashSecret(clientSecret), false);
    if (!client || !valid) throw new OAuthError('invalid_client', 'Client authentication failed');
    const allowed = client.kind === 'platform' ? ['platform', ...SCOPES] : client.scopes;
    let scopes = client.kind === 'platform' ? ['platform'] : client.scopes;
    if (scope !== undefined && scope !== '') {
      if (typeof scope !== 'string') throw new OAuthError('invalid_request', 'scope must be a space-separated string');
      scopes = scope.split(' ').filter(Boolean);
      const refused = scopes.filter((requested) => !allowed.includes(requested));
      if (refused.length > 0) throw new OAuthError('invalid_scope', `Not allowed for this client: ${refused.join(', ')}`);
    }
    const principal: Principal = { clientId: client.clientId, kind: client.kind, tenantId: client.tenantId, scopes };
    return {
      access_token: this.tokens!.issue(principal, this.config.tokenTtlSeconds),
      token_type: 'Bearer',
      expires_in: this.config.tokenTtlSeconds,
      scope: scopes.join(' '),
    };
  }

  verify(token: string): Principal | null {
    return this.tokens!.verify(token);
  }

  private async insert(clientId: string, secret: string, kind: ClientKind, tenantId: string | null, scopes: string[]) {
    await this.clients.insert(
      Object.assign(new OAuthClient(), { clientId, secretHash: await hashSecret(secret), kind, tenantId, scopes, createdAt: new Date() }),
    );
  }
}
