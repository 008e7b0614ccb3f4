import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from './scopes.js';

/**
 * Signed, expiring access tokens (JWT, HS256). Every API process verifies them with the same
 * key, so a token issued by one replica works on all.
 */
export class AccessTokens {
  constructor(private readonly key: Buffer) {}

  issue(principal: Principal, ttlSeconds: number, now = Date.now()): string {
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const iat = Math.floor(now / 1000);
    const payload = encode({
      sub: principal.clientId,
      kind: principal.kind,
      tid: principal.tenantId,
      scope: principal.scopes.join(' '),
      gen: principal.generation ?? 1,
      iat,
      exp: iat + ttlSeconds,
    });
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  /** The principal of a valid, unexpired token; null otherwise. */
  verify(token: string, now = Date.now()): Principal | null {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return null;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    let claims: { sub?: unknown; kind?: unknown; tid?: unknown; scope?: unknown; gen?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return null;
    if (typeof claims.sub !== 'string' || (claims.kind !== 'platform' && claims.kind !== 'tenant')) return null;
    return {
      clientId: claims.sub,
      kind: claims.kind,
      tenantId: typeof claims.tid === 'string' ? claims.tid : null,
      scopes: typeof claims.scope === 'string' && claims.scope ? claims.scope.split(' ') : [],
      // Tokens issued before clients had generations are of the first.
      generation: typeof claims.gen === 'number' ? claims.gen : 1,
    };
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
