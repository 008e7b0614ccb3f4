import { beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiRequest, type Json } from '../support/admin-client.js';
import { useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('OpenAPI document', () => {
    let document: Json;

    beforeAll(async () => {
      const response = await apiRequest(api.url, 'GET', '/docs-json');
      expect(response.status).toBe(200);
      document = response.body;
    });

    it('is valid OpenAPI 3', async () => {
      expect(document.openapi).toMatch(/^3\./);
      const result = await new Validator().validate(document);
      if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
      expect(result.valid).toBe(true);
    });

    it('has an OAuth2 client-credentials security scheme with tokenUrl /oauth/token', () => {
      const schemes = Object.values(document.components?.securitySchemes ?? {}) as Json[];
      const oauth = schemes.find((scheme) => scheme.type === 'oauth2');
      expect(oauth?.flows?.clientCredentials?.tokenUrl).toBe('/oauth/token');
      expect(Object.keys(oauth.flows.clientCredentials.scopes)).toEqual(expect.arrayContaining(['platform', 'keys:write', 'webhooks:read']));
    });

    const routes: Array<[string, string]> = [
      ['post', '/oauth/token'],
      ['post', '/webhooks/{apiKey}'],
      ['post', '/get_entities/{apiKey}'],
      ['post', '/get_entity_description/{apiKey}/{entityName}'],
      ['post', '/api/tenants'],
      ['get', '/api/tenants'],
      ['get', '/api/tenants/{tenantId}'],
      ['post', '/api/clients'],
      ['post', '/api/tenants/{tenantId}/api-keys'],
      ['get', '/api/tenants/{tenantId}/api-keys'],
      ['post', '/api/tenants/{tenantId}/api-keys/{id}/rotate'],
      ['delete', '/api/tenants/{tenantId}/api-keys/{id}'],
      ['get', '/api/tenants/{tenantId}/entities'],
      ['post', '/api/tenants/{tenantId}/entities'],
      ['post', '/api/tenants/{tenantId}/entities/{name}/fields'],
      ['patch', '/api/tenants/{tenantId}/entities/{name}'],
      ['get', '/api/tenants/{tenantId}/records/{entity}'],
      ['post', '/api/tenants/{tenantId}/records/{entity}'],
      ['get', '/api/tenants/{tenantId}/records/{entity}/{id}'],
      ['get', '/api/tenants/{tenantId}/processes'],
      ['post', '/api/tenants/{tenantId}/processes'],
      ['get', '/api/tenants/{tenantId}/processes/{id}'],
      ['put', '/api/tenants/{tenantId}/processes/{id}'],
      ['delete', '/api/tenants/{tenantId}/processes/{id}'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/activate'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/deactivate'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/revert'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/rollback'],
      ['post', '/api/tenants/{tenantId}/processes/{id}/test'],
      ['post', '/api/tenants/{tenantId}/processes/test'],
      ['post', '/api/tenants/{tenantId}/processes/what-if'],
      ['get', '/api/tenants/{tenantId}/webhooks'],
      ['get', '/api/tenants/{tenantId}/webhooks/{id}'],
      ['post', '/api/tenants/{tenantId}/webhooks/{id}/replay'],
      ['post', '/api/tenants/{tenantId}/webhooks/{id}/mapping-proposal'],
      ['post', '/api/tenants/{tenantId}/webhooks/replay'],
      ['get', '/api/tenants/{tenantId}/replays/{id}'],
      ['patch', '/api/tenants/{tenantId}'],
      ['patch', '/api/tenants/{tenantId}/api-keys/{id}'],
      ['get', '/api/tenants/{tenantId}/runs'],
    ];
    it.each(routes)('documents %s %s', (method, path) => {
      const operation = document.paths?.[path]?.[method];
      expect(operation).toBeDefined();
      if (path.startsWith('/api/')) {
        // Admin routes declare the OAuth2 scheme.
        const oauthName = Object.entries(document.components.securitySchemes).find(([, scheme]) => (scheme as Json).type === 'oauth2')![0];
        expect(operation.security).toContainEqual({ [oauthName]: [] });
      }
    });
  });
});
