import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UsersService } from '../src/auth/users.service.js';
import { COLUMN_TYPES, describeColumnTypes } from '../src/catalogue/column-types/index.js';
import { AdminApi, apiRequest, type Json } from './support/admin-client.js';
import { ConsoleClient } from './support/console-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const ADMIN = { id: 'column-types-admin', secret: 'column-types-admin-secret-0123' };

describe('GET /api/column-types', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let platform: AdminApi;
  let tenantId: string;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { ADMIN_CLIENT_ID: ADMIN.id, ADMIN_CLIENT_SECRET: ADMIN.secret, ROLE: 'api' });
    platform = await AdminApi.login(hookflow.url, ADMIN.id, ADMIN.secret);
    tenantId = (await hookflow.newTenant('Column types')).tenantId;
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function tenantClient(scopes: string[]): Promise<AdminApi> {
    const created = await platform.post('/api/clients', { kind: 'tenant', tenantId, scopes });
    expect(created.status).toBe(201);
    return AdminApi.login(hookflow.url, created.body.clientId, created.body.clientSecret);
  }

  it('answers every column type of the registry, in its order, with what the console shows', async () => {
    const response = await platform.get('/api/column-types');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(describeColumnTypes());
    expect(response.body.map((type: Json) => type.name)).toEqual(COLUMN_TYPES);
    expect(response.body.find((type: Json) => type.name === 'System.Guid')).toMatchObject({ label: 'GUID', takesLookup: true });
  });

  it('needs a token with catalogue:read, like the catalogue routes', async () => {
    const anonymous = await apiRequest(hookflow.url, 'GET', '/api/column-types');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    expect((await (await tenantClient(['catalogue:read'])).get('/api/column-types')).status).toBe(200);
    const reader = await (await tenantClient(['webhooks:read'])).get('/api/column-types');
    expect(reader.status).toBe(403);
    expect(reader.body).toMatchObject({ code: 'FORBIDDEN', message: 'This needs the scope "catalogue:read"' });
  });

  it('answers a console viewer of any tenant', async () => {
    await hookflow.get(UsersService).create('viewer@example.com', 'viewer passphrase 1', { tenantId, role: 'viewer' });
    const viewer = await ConsoleClient.signIn(hookflow.url, 'viewer@example.com', 'viewer passphrase 1');
    const response = await viewer.get('/api/column-types');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(describeColumnTypes());
  });

  it('is documented in the OpenAPI document like its neighbours, and the column body takes the same types', async () => {
    const document = (await apiRequest(hookflow.url, 'GET', '/docs-json')).body;
    const operation = document.paths['/api/column-types'].get;
    expect(operation.summary).toEqual(expect.any(String));
    expect(operation.tags).toEqual(['catalogue']);
    const oauth = Object.entries(document.components.securitySchemes).find(([, scheme]) => (scheme as Json).type === 'oauth2')![0];
    expect(operation.security).toContainEqual({ [oauth]: [] });
    for (const status of ['400', '401', '403', '404']) {
      expect(operation.responses[status].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    }
    const items = operation.responses['200'].content['application/json'].schema.items;
    const schema = document.components.schemas[items.$ref.split('/').pop()];
    expect(Object.keys(schema.properties).sort()).toEqual(['description', 'label', 'name', 'takesLookup']);
    expect(schema.properties.name.enum).toEqual(COLUMN_TYPES);
    expect(document.components.schemas.ColumnDto.properties.type.enum).toEqual(COLUMN_TYPES);
  });
});
