import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROCESS, defaultProcess as base, formBuilderPayload, nestedOverride, upsertExample } from '../fixtures/form-builder.js';
import type { Json } from '../support/admin-client.js';
import { CANADA_ID, expectError, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

/** A definition that does not compile: the expression of /steps/0/input/fields/Name does not parse. */
const brokenDefinition = { ...base, steps: [{ id: 'x', type: 'map', input: { fields: { Name: 'first &' } } }] };

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('processes', () => {
    it('GET processes lists the base processes with source, version and active', async () => {
      const tenantId = await api.createTenant('Process list');
      const response = await api.admin.get(`/api/tenants/${tenantId}/processes`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        expect.arrayContaining([
          { id: DEFAULT_PROCESS, name: base.name, source: 'base', version: 1, active: true },
          expect.objectContaining({ id: 'landing-page-lead', source: 'base', version: 1, active: false }),
          expect.objectContaining({ id: 'upsert-contact-by-email', source: 'base', version: 1, active: false }),
        ]),
      );
    });

    it('GET processes/:id answers the definition, the base and the versions; 404 for an unknown one', async () => {
      const tenantId = await api.createTenant('Process detail');
      const response = await api.admin.get(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: DEFAULT_PROCESS, source: 'base', version: 1, active: true, versions: [] });
      expect(response.body.definition).toMatchObject({ id: DEFAULT_PROCESS, version: 1, steps: base.steps });
      expect(response.body.base).toMatchObject({ id: DEFAULT_PROCESS, version: 1 });
      expectError(await api.admin.get(`/api/tenants/${tenantId}/processes/nothing-like-it`), 404, 'nothing-like-it');
    });

    it('GET step-types lists every step type with the input schema definitions are checked with', async () => {
      const response = await api.admin.get('/api/step-types');
      expect(response.status).toBe(200);
      const types = response.body as Array<{ type: string; description: string; inputSchema: Json; branches: string[] }>;
      expect(types.map((entry) => entry.type)).toEqual(
        expect.arrayContaining(['create-record', 'condition', 'for-each', 'wait', 'wait-for-webhook', 'wait-for-approval', 'call-process']),
      );
      const condition = types.find((entry) => entry.type === 'condition')!;
      expect(condition.branches).toEqual(['then', 'else', 'onError']);
      expect(condition.inputSchema).toMatchObject({ type: 'object', required: ['if'] });
      // The schema is the one a save is checked with: an input it refuses is refused on save, at that path.
      const tenantId = await api.createTenant('Step types');
      const saved = await api.admin.post(`/api/tenants/${tenantId}/processes`, {
        definition: { ...base, id: 'no-if', steps: [{ id: 'check', type: 'condition', input: {}, then: [{ id: 'end', type: 'stop' }] }] },
      });
      expect(saved.status).toBe(400);
      expect(saved.body.details.problems).toContainEqual(expect.objectContaining({ path: '/steps/0/input' }));
    });

    it('deactivate and activate switch a process for the tenant, and webhooks follow', async () => {
      const tenantId = await api.createTenant('Switching');
      const key = await api.createKey(tenantId);
      const off = await api.admin.post(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/deactivate`);
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: DEFAULT_PROCESS, active: false, source: 'base' });
      expect((await api.admin.get(`/api/tenants/${tenantId}/processes`)).body).toContainEqual(expect.objectContaining({ id: DEFAULT_PROCESS, active: false }));
      const kept = await api.settle(tenantId, await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'While off' }));
      expect(kept).toMatchObject({ status: 'received', reason: expect.stringMatching(/No active process/) });

      const on = await api.admin.post(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/activate`);
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ id: DEFAULT_PROCESS, active: true });
      const processed = await api.settle(tenantId, await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'While on' }));
      expect(processed.status).toBe('processed');
      expectError(await api.admin.post(`/api/tenants/${tenantId}/processes/nothing-like-it/activate`), 404);
    });

    it('PUT overrides a base process (validated), revert runs the base again, rollback saves an earlier version anew', async () => {
      const tenantId = await api.createTenant('Overrides');
      const path = `/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}`;
      const saved = await api.admin.put(path, { definition: { ...base, name: 'Overridden' } });
      expect(saved.status).toBe(200);
      expect(saved.body).toEqual({ id: DEFAULT_PROCESS, name: 'Overridden', source: 'override', version: 2, active: true });

      const invalid = await api.admin.put(path, { definition: brokenDefinition });
      expectError(invalid, 400, '/steps/0/input/fields/Name');
      expect(invalid.body).toMatchObject({
        code: 'INVALID_DEFINITION',
        details: { problems: [{ path: '/steps/0/input/fields/Name', message: expect.stringContaining('does not parse') }] },
      });
      expectError(await api.admin.put(path, { definition: { ...base, id: 'another-id' } }), 400, 'another-id');
      expectError(await api.admin.put(path, {}), 400, 'definition');
      expectError(await api.admin.put(path, { definition: base, note: 'mine' }), 400, 'note');

      const detail = await api.admin.get(path);
      expect(detail.body).toMatchObject({ source: 'override', version: 2, definition: { name: 'Overridden' }, base: { version: 1 } });
      expect(detail.body.versions).toEqual([{ version: 2, note: null, createdAt: expect.any(String) }]);

      const reverted = await api.admin.post(`${path}/revert`);
      expect(reverted.status).toBe(200);
      expect(reverted.body).toMatchObject({ source: 'base', version: 1, name: base.name });

      const rolledBack = await api.admin.post(`${path}/rollback`, { version: 2 });
      expect(rolledBack.status).toBe(200);
      expect(rolledBack.body).toMatchObject({ source: 'override', version: 3, name: 'Overridden' });
      expect((await api.admin.get(path)).body.versions.map((entry: Json) => [entry.version, entry.note])).toEqual([
        [3, 'rollback to version 2'],
        [2, null],
      ]);

      expectError(await api.admin.post(`${path}/rollback`, { version: 9 }), 404, '9');
      expectError(await api.admin.post(`${path}/rollback`, { version: 0 }), 400, 'version');
      expectError(await api.admin.post(`${path}/rollback`, { version: '2' }), 400, 'version');
      expectError(await api.admin.post(`${path}/rollback`, {}), 400, 'version');
    });

    it('POST creates a custom process; PUT saves a new version of it; DELETE removes it with 204', async () => {
      const tenantId = await api.createTenant('Custom processes');
      const key = await api.createKey(tenantId);
      const list = `/api/tenants/${tenantId}/processes`;
      const custom = { ...upsertExample, id: 'crm-contacts', name: 'CRM contacts', activeByDefault: true };

      const created = await api.admin.post(list, { definition: custom });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: 'crm-contacts', name: 'CRM contacts', source: 'custom', version: 1, active: true });
      expectError(await api.admin.post(list, { definition: custom }), 409, 'crm-contacts');
      expectError(await api.admin.post(list, { definition: { ...custom, id: DEFAULT_PROCESS } }), 409);
      expectError(await api.admin.post(list, { definition: { ...brokenDefinition, id: 'broken' } }), 400, '/steps/0/input/fields/Name');
      expectError(await api.admin.post(list, { definition: 'not an object' }), 400, 'definition');

      const updated = await api.admin.put(`${list}/crm-contacts`, { definition: { ...custom, name: 'CRM contacts v2' } });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({ id: 'crm-contacts', name: 'CRM contacts v2', source: 'custom', version: 2, active: true });

      const detail = await api.settle(tenantId, await api.send(key.apiKey, { Email: 'Mary@Example.com', Name: 'Mary' }));
      expect(detail.status).toBe('processed');
      expect(detail.records).toEqual([expect.objectContaining({ object: 'Contact', Email: 'mary@example.com', Name: 'Mary' })]);
      expect(detail.runs).toContainEqual(expect.objectContaining({ processId: 'crm-contacts', processVersion: 2, status: 'completed' }));

      const removed = await api.admin.delete(`${list}/crm-contacts`);
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expectError(await api.admin.get(`${list}/crm-contacts`), 404);
      expect((await api.admin.get(list)).body.map((process: Json) => process.id)).not.toContain('crm-contacts');
      expectError(await api.admin.delete(`${list}/crm-contacts`), 404);
      expectError(await api.admin.delete(`${list}/${DEFAULT_PROCESS}`), 409, 'base process');
    });

    it('POST processes/:id/test dry-runs the process: trace and would-be records, and writes nothing', async () => {
      const tenantId = await api.createTenant('Dry runs');
      const path = `/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/test`;
      const result = await api.admin.post(path, { payload: { EntityName: 'Lead', Contact: 'Dry run', Country: 'Canada' } });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        processId: DEFAULT_PROCESS,
        version: 1,
        started: true,
        status: 'completed',
        error: null,
        trace: [
          expect.objectContaining({ step: 'object', type: 'resolve-object', status: 'ok' }),
          expect.objectContaining({ step: 'fields', type: 'map-parameters', status: 'ok' }),
          expect.objectContaining({ step: 'record', type: 'create-record', status: 'ok' }),
        ],
        records: [{ step: 'record', action: 'create', object: 'Lead', recordId: null, values: { Contact: 'Dry run', CountryId: CANADA_ID } }],
        waits: [],
      });

      const failing = await api.admin.post(path, { payload: { EntityName: 'Nothing' } });
      expect(failing.status).toBe(200);
      expect(failing.body).toMatchObject({ status: 'failed', error: { code: expect.any(String), message: expect.stringContaining('Nothing') }, records: [] });

      expectError(await api.admin.post(path, {}), 400, 'payload');
      expectError(await api.admin.post(`/api/tenants/${tenantId}/processes/nothing-like-it/test`, { payload: {} }), 404);

      expect((await api.admin.get(`/api/tenants/${tenantId}/records/Lead`)).body.items).toEqual([]);
      expect((await api.admin.get(`/api/tenants/${tenantId}/webhooks`)).body.items).toEqual([]);
      expect((await api.admin.get(`/api/tenants/${tenantId}/runs`)).body).toEqual([]);
    });

    it('POST processes/test dry-runs an unsaved definition, and writes nothing', async () => {
      const tenantId = await api.createTenant('Draft runs');
      const path = `/api/tenants/${tenantId}/processes/test`;
      const result = await api.admin.post(path, { definition: nestedOverride, payload: formBuilderPayload });
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({
        processId: DEFAULT_PROCESS,
        status: 'completed',
        error: null,
        trace: [expect.objectContaining({ step: 'submission', status: 'ok' })],
        records: [{ action: 'create', object: 'FormSubmit', values: { Name: 'Katherine Johnson', Email: 'kj@example.com', Notes: 'Form lT4Z3j' } }],
      });
      expectError(await api.admin.post(path, { definition: brokenDefinition, payload: {} }), 400, '/steps/0/input/fields/Name');
      expectError(await api.admin.post(path, { payload: {} }), 400, 'definition');
      expectError(await api.admin.post(path, { definition: nestedOverride, payload: {}, extra: 1 }), 400, 'extra');

      expect((await api.admin.get(`/api/tenants/${tenantId}/records/FormSubmit`)).body.items).toEqual([]);
      expect((await api.admin.get(`/api/tenants/${tenantId}/processes`)).body).toContainEqual(
        expect.objectContaining({ id: DEFAULT_PROCESS, source: 'base', version: 1 }),
      );
    });

    it('POST processes/what-if compares a draft with stored webhooks, and writes nothing', async () => {
      const tenantId = await api.createTenant('What if');
      const key = await api.createKey(tenantId);
      const unmapped = await api.settle(tenantId, await api.send(key.apiKey, formBuilderPayload));
      const mapped = await api.settle(tenantId, await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Mapped already' }));
      expect([unmapped.status, mapped.status]).toEqual(['received', 'processed']);
      const path = `/api/tenants/${tenantId}/processes/what-if`;

      const report = await api.admin.post(path, { definition: nestedOverride, status: 'received' });
      expect(report.status).toBe(200);
      expect(report.body).toEqual({
        processId: DEFAULT_PROCESS,
        compared: 1,
        complete: true,
        stoppedReason: null,
        wouldNowWrite: 1,
        entries: [
          {
            webhook: { id: unmapped.id, receivedAt: unmapped.receivedAt, status: 'received', reason: expect.any(String), recordIds: [] },
            draft: {
              started: true,
              status: 'completed',
              error: null,
              records: [expect.objectContaining({ action: 'create', object: 'FormSubmit', values: expect.objectContaining({ Name: 'Katherine Johnson' }) })],
              waits: [],
            },
          },
        ],
      });

      const byId = await api.admin.post(path, { definition: nestedOverride, webhookIds: [mapped.id] });
      expect(byId.body).toMatchObject({ compared: 1, wouldNowWrite: 0, entries: [{ webhook: { id: mapped.id, status: 'processed' } }] });

      expectError(await api.admin.post(path, { definition: nestedOverride, limit: 500 }), 400, 'limit');
      expectError(await api.admin.post(path, { definition: nestedOverride, webhookIds: ['not-a-uuid'] }), 400, 'webhookIds');
      expectError(await api.admin.post(path, { definition: nestedOverride, from: 'last week' }), 400, 'from');
      expectError(await api.admin.post(path, { definition: brokenDefinition }), 400, '/steps/0/input/fields/Name');

      expect((await api.admin.get(`/api/tenants/${tenantId}/records/FormSubmit`)).body.items).toEqual([]);
      expect((await api.admin.get(`/api/tenants/${tenantId}/webhooks/${unmapped.id}`)).body).toMatchObject({ status: 'received', recordIds: [] });
    });
  });
});
