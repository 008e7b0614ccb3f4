/**
 * The setup the admin API suites (test/admin/) share: a service with a known platform client, a
 * logged-in admin client, small builders of tenants, keys and records, and the error shape.
 */
import { afterAll, beforeAll, expect } from '@jest/globals';
import { AdminApi, sendWebhook, settledWebhook, type ApiResponse, type Json } from './admin-client.js';
import { createDatabase, type DatabaseKind, type TestDatabase } from './databases.js';
import { startTestService, type TestService } from './test-service.js';

export const ADMIN_ID = 'e2e-admin';
// A space, "/", "+" and a "%" that is not an escape: credentials must be encoded to survive HTTP Basic.
export const ADMIN_SECRET = 'e2e admin/secret+%zz-0123456789';
export const SERVICE_ENV = {
  ADMIN_CLIENT_ID: ADMIN_ID,
  ADMIN_CLIENT_SECRET: ADMIN_SECRET,
  // Long enough for a loaded machine to check the old key inside it.
  API_KEY_GRACE_SECONDS: '4',
  API_KEY_CACHE_MS: '0',
};

export const CANADA_ID = 'f8af0e88-f36b-1410-fa98-00155d043204';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const GRANT = { grant_type: 'client_credentials' };

/** The common error shape of the service. */
export function expectError(response: ApiResponse, status: number, message?: string | RegExp): void {
  // `details` is there only for errors that have some (the problems of a definition, the conflicting paths…).
  const details = response.body?.details !== undefined ? { details: expect.any(Object) } : {};
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { statusCode: status, error: expect.any(String), message: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/), ...details },
  });
  if (typeof message === 'string') expect(response.body.message).toContain(message);
  else if (message) expect(response.body.message).toMatch(message);
}

/** The claims of an access token, read without checking its signature. */
export function tokenClaims(token: string): { exp: number; scope: string; kind: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export interface AdminApiContext {
  readonly database: TestDatabase;
  readonly hookflow: TestService;
  readonly url: string;
  /** The platform client ADMIN_ID, logged in. */
  readonly admin: AdminApi;
  /** A new tenant (expects 201); answers its id. */
  createTenant(name?: string): Promise<string>;
  /** A new API key of the tenant (expects 201). */
  createKey(tenantId: string, name?: string): Promise<{ id: string; apiKey: string; webhookUrl: string }>;
  /** A new record (expects 201); answers it. */
  createRecord(tenantId: string, entity: string, values: Record<string, unknown>): Promise<Json>;
  /** Sends a webhook (expects 202); answers its id. */
  send(apiKey: string, payload: unknown, headers?: Record<string, string>): Promise<string>;
  /** The webhook's detail once the worker has finished with it (and the condition holds). */
  settle(tenantId: string, webhookId: string, condition?: (detail: Json) => boolean): Promise<Json>;
}

/**
 * Starts the service on a new database of that kind before the enclosing describe block's tests
 * and stops it after them. The fields of the answer are set once beforeAll has run, so read them
 * inside tests and hooks only.
 */
export function useAdminApi(kind: DatabaseKind): AdminApiContext {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, SERVICE_ENV);
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  return {
    get database() {
      return database;
    },
    get hookflow() {
      return hookflow;
    },
    get url() {
      return hookflow.url;
    },
    get admin() {
      return admin;
    },
    async createTenant(name = 'Tenant') {
      const response = await admin.post('/api/tenants', { name });
      expect(response.status).toBe(201);
      return response.body.id as string;
    },
    async createKey(tenantId, name = 'Source') {
      const response = await admin.post(`/api/tenants/${tenantId}/api-keys`, { name });
      expect(response.status).toBe(201);
      return response.body;
    },
    async createRecord(tenantId, entity, values) {
      const response = await admin.post(`/api/tenants/${tenantId}/records/${entity}`, values);
      expect(response.status).toBe(201);
      return response.body;
    },
    send: (apiKey, payload, headers) => sendWebhook(hookflow.url, apiKey, payload, headers),
    settle: (tenantId, webhookId, condition) => settledWebhook(admin, tenantId, webhookId, condition),
  };
}
