import { describe, expect, it } from '@jest/globals';
import { apiRequest, basicCredentials, pollUntil, requestToken } from '../support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, expectError, GRANT, SERVICE_ENV, tokenClaims, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';
import { startTestService } from '../support/test-service.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('access tokens on /api', () => {
    it('answers 401 in the common error shape, with WWW-Authenticate: Bearer, without a token', async () => {
      const response = await apiRequest(api.url, 'GET', '/api/tenants');
      expectError(response, 401, /access token/i);
      expect(response.body.error).toBe('Unauthorized');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    const badHeaders: Array<[string, (token: string) => string]> = [
      ['a bearer value that is no token', () => 'Bearer not-a-token'],
      ['a token with a changed signature', (token) => `Bearer ${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`],
      [
        'a token whose claims were changed',
        (token) => {
          const [header, , signature] = token.split('.');
          const claims = Buffer.from(JSON.stringify({ sub: 'x', kind: 'platform', tid: null, scope: 'platform', exp: 9_999_999_999 })).toString('base64url');
          return `Bearer ${header}.${claims}.${signature}`;
        },
      ],
      ['HTTP Basic client credentials instead of a token', () => `Basic ${basicCredentials(ADMIN_ID, ADMIN_SECRET)}`],
      ['the token without the Bearer scheme', (token) => token],
    ];
    it.each(badHeaders)('answers 401 in the common error shape for %s', async (_name, header) => {
      const response = await apiRequest(api.url, 'GET', '/api/tenants', { headers: { authorization: header(api.admin.token) } });
      expectError(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('answers 401 for a token that has expired (TOKEN_TTL_SECONDS=1)', async () => {
      const shortLived = await startTestService(api.database, { ...SERVICE_ENV, ROLE: 'api', TOKEN_TTL_SECONDS: '1' });
      try {
        // Tokens expire on a whole second: ask for one just after a second begins, so it lives ~1 s.
        await sleep(1000 - (Date.now() % 1000) + 20);
        const issued = await requestToken(shortLived.url, { basic: { clientId: ADMIN_ID, clientSecret: ADMIN_SECRET }, form: GRANT });
        expect(issued.status).toBe(200);
        expect(issued.body.expires_in).toBe(1);
        const token = issued.body.access_token as string;
        // Valid until it expires (on a machine this slow that it already has, the check below is what counts).
        if (Date.now() < tokenClaims(token).exp * 1000 - 200) {
          expect((await apiRequest(shortLived.url, 'GET', '/api/tenants', { token })).status).toBe(200);
        }

        const expired = await pollUntil(
          () => apiRequest(shortLived.url, 'GET', '/api/tenants', { token }),
          (response) => response.status !== 200,
          3000,
          'the token expired',
        );
        expect(Date.now()).toBeGreaterThanOrEqual(tokenClaims(token).exp * 1000);
        expectError(expired, 401, /invalid or expired/);
        expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/);
        // Another API process (same signing key) refuses it too.
        expectError(await apiRequest(api.url, 'GET', '/api/tenants', { token }), 401);
      } finally {
        await shortLived.close();
      }
    });
  });
});
