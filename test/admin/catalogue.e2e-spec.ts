import { beforeAll, describe, expect, it } from '@jest/globals';
import { apiRequest, type Json } from '../support/admin-client.js';
import { expectError, UUID, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('catalogue', () => {
    let tenantId: string;

    beforeAll(async () => {
      tenantId = await api.createTenant('Catalogue');
    });

    it('GET entities answers the default catalogue with columns and inWebhookLookup', async () => {
      const response = await api.admin.get(`/api/tenants/${tenantId}/entities`);
      expect(response.status).toBe(200);
      expect(response.body.map((object: Json) => object.name)).toEqual(
        expect.arrayContaining(['Country', 'OrderStatus', 'Contact', 'Lead', 'Order', 'FormSubmit']),
      );
      const byName = Object.fromEntries(response.body.map((object: Json) => [object.name, object]));
      expect(byName.Country.inWebhookLookup).toBe(false);
      expect(byName.Lead).toMatchObject({ name: 'Lead', inWebhookLookup: true, displayColumn: 'Contact' });
      expect(byName.Lead.columns).toContainEqual({ name: 'CountryId', caption: 'Country', type: 'System.Guid', required: false, lookup: 'Country' });
    });

    it('POST entities adds an object get_entities lists; POST fields adds a column; PATCH takes it out of the lookup', async () => {
      const own = await api.createTenant('Ticketing');
      const key = await api.createKey(own);
      const created = await api.admin.post(`/api/tenants/${own}/entities`, {
        name: 'Ticket',
        caption: 'Support ticket',
        fields: [
          { name: 'Subject', type: 'System.String', required: true },
          { name: 'ContactId', caption: 'Contact', type: 'System.Guid', lookup: 'Contact' },
        ],
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        name: 'Ticket',
        caption: 'Support ticket',
        displayColumn: 'Subject',
        inWebhookLookup: true,
        columns: [
          { name: 'Id', caption: 'Id', type: 'System.Guid', required: true, lookup: null },
          { name: 'Subject', caption: 'Subject', type: 'System.String', required: true, lookup: null },
          { name: 'ContactId', caption: 'Contact', type: 'System.Guid', required: false, lookup: 'Contact' },
        ],
      });
      expect((await api.admin.get(`/api/tenants/${own}/entities`)).body).toContainEqual(created.body);

      const entities = await apiRequest(api.url, 'POST', `/get_entities/${key.apiKey}`);
      expect(entities.status).toBe(200);
      expect(entities.body.entities).toContainEqual({ name: 'Ticket', caption: 'Support ticket', formId: expect.stringMatching(UUID) });

      const field = await api.admin.post(`/api/tenants/${own}/entities/Ticket/fields`, { name: 'Priority', type: 'System.Int32' });
      expect(field.status).toBe(201);
      expect(field.body.columns.map((column: Json) => column.name)).toEqual(['Id', 'Subject', 'ContactId', 'Priority']);
      const description = await apiRequest(api.url, 'POST', `/get_entity_description/${key.apiKey}/Ticket`);
      expect(description.status).toBe(200);
      expect(description.body.value.entityModel.fields).toContainEqual({ required: false, name: 'Priority', net_type: 'System.Int32', caption: 'Priority' });

      // A webhook can now create a Ticket with the new column.
      const webhookId = await api.send(key.apiKey, { EntityName: 'Ticket', Subject: 'Printer on fire', Priority: '2' });
      const detail = await api.settle(own, webhookId);
      expect(detail.status).toBe('processed');
      expect(detail.records).toEqual([expect.objectContaining({ object: 'Ticket', Subject: 'Printer on fire', Priority: 2 })]);

      const hidden = await api.admin.patch(`/api/tenants/${own}/entities/Ticket`, { inWebhookLookup: false });
      expect(hidden.status).toBe(200);
      expect(hidden.body).toMatchObject({ name: 'Ticket', inWebhookLookup: false });
      const after = await apiRequest(api.url, 'POST', `/get_entities/${key.apiKey}`);
      expect(after.body.entities.map((entity: Json) => entity.name)).not.toContain('Ticket');
      expect(after.body.entities.map((entity: Json) => entity.name)).toContain('Lead');
      expect((await api.admin.get(`/api/tenants/${own}/entities`)).body).toContainEqual(expect.objectContaining({ name: 'Ticket', inWebhookLookup: false }));

      const shown = await api.admin.patch(`/api/tenants/${own}/entities/Ticket`, { inWebhookLookup: true });
      expect(shown.body.inWebhookLookup).toBe(true);
      expect((await apiRequest(api.url, 'POST', `/get_entities/${key.apiKey}`)).body.entities.map((entity: Json) => entity.name)).toContain('Ticket');
    });

    it('POST entities with inWebhookLookup false adds an object get_entities does not list', async () => {
      const own = await api.createTenant('Hidden objects');
      const key = await api.createKey(own);
      const created = await api.admin.post(`/api/tenants/${own}/entities`, {
        name: 'Internal',
        inWebhookLookup: false,
        fields: [{ name: 'Name', type: 'System.String' }],
      });
      expect(created.status).toBe(201);
      expect(created.body.inWebhookLookup).toBe(false);
      const entities = await apiRequest(api.url, 'POST', `/get_entities/${key.apiKey}`);
      expect(entities.body.entities.map((entity: Json) => entity.name)).not.toContain('Internal');
    });

    const invalid: Array<[string, string, string, unknown, string]> = [
      ['an object name starting with a digit', 'POST', 'entities', { name: '1Ticket', fields: [] }, 'name'],
      ['an object name with a dash', 'POST', 'entities', { name: 'Support-Ticket', fields: [] }, 'name'],
      ['an object without fields', 'POST', 'entities', { name: 'NoFields' }, 'fields'],
      ['an invalid field name', 'POST', 'entities', { name: 'BadField', fields: [{ name: 'bad name', type: 'System.String' }] }, 'fields.0.name'],
      ['a field redefining Id', 'POST', 'entities', { name: 'RedefinesId', fields: [{ name: 'Id', type: 'System.Guid' }] }, 'Id'],
      ['a field redefining CreatedOn', 'POST', 'entities', { name: 'RedefinesCreated', fields: [{ name: 'CreatedOn', type: 'System.DateTime' }] }, 'CreatedOn'],
      [
        'a field given twice',
        'POST',
        'entities',
        {
          name: 'Twice',
          fields: [
            { name: 'A', type: 'System.String' },
            { name: 'A', type: 'System.String' },
          ],
        },
        '"A"',
      ],
      ['an unknown field type', 'POST', 'entities', { name: 'BadType', fields: [{ name: 'Score', type: 'System.Float' }] }, 'type'],
      ['an unknown property of the object', 'POST', 'entities', { name: 'Colourful', fields: [], colour: 'red' }, 'colour'],
      ['an unknown property of a field', 'POST', 'entities', { name: 'Unique', fields: [{ name: 'A', type: 'System.String', unique: true }] }, 'unique'],
      ['a column redefining Id', 'POST', 'entities/Lead/fields', { name: 'Id', type: 'System.Guid' }, 'Id'],
      ['a column redefining CreatedOn', 'POST', 'entities/Lead/fields', { name: 'CreatedOn', type: 'System.DateTime' }, 'CreatedOn'],
      ['a column redefining ModifiedOn', 'POST', 'entities/Lead/fields', { name: 'ModifiedOn', type: 'System.DateTime' }, 'ModifiedOn'],
      ['an invalid column name', 'POST', 'entities/Lead/fields', { name: 'Score!', type: 'System.Int32' }, 'name'],
      ['an unknown column type', 'POST', 'entities/Lead/fields', { name: 'Score', type: 'float' }, 'type'],
      ['a column without a type', 'POST', 'entities/Lead/fields', { name: 'Score' }, 'type'],
      ['an unknown property of a column', 'POST', 'entities/Lead/fields', { name: 'Score', type: 'System.Int32', default: 0 }, 'default'],
      ['a lookup column that is not a Guid', 'POST', 'entities/Lead/fields', { name: 'OwnerId', type: 'System.String', lookup: 'Contact' }, 'OwnerId'],
      ['a lookup to an object that does not exist', 'POST', 'entities/Lead/fields', { name: 'OwnerId', type: 'System.Guid', lookup: 'Nobody' }, 'Nobody'],
      ['inWebhookLookup that is no boolean', 'PATCH', 'entities/Lead', { inWebhookLookup: 'no' }, 'inWebhookLookup'],
      ['an unknown property of the update', 'PATCH', 'entities/Lead', { inWebhookLookup: true, caption: 'Leads' }, 'caption'],
    ];
    it.each(invalid)('refuses %s with 400 naming it (%s %s)', async (_name, method, path, body, named) => {
      expectError(await api.admin.request(method, `/api/tenants/${tenantId}/${path}`, body), 400, named);
    });

    it('kept nothing of the refused requests', async () => {
      const objects = (await api.admin.get(`/api/tenants/${tenantId}/entities`)).body;
      const names = objects.map((object: Json) => object.name);
      for (const refused of ['NoFields', 'BadField', 'RedefinesId', 'RedefinesCreated', 'Twice', 'BadType', 'Colourful', 'Unique']) {
        expect(names).not.toContain(refused);
      }
      const lead = objects.find((object: Json) => object.name === 'Lead');
      expect(lead.columns.map((column: Json) => column.name)).toEqual([
        'Id',
        'Contact',
        'Email',
        'MobilePhone',
        'CountryId',
        'Account',
        'Website',
        'Budget',
        'Notes',
      ]);
      expect(lead.inWebhookLookup).toBe(true);
    });

    it.each([
      ['an object that exists (Lead)', 'entities', { name: 'Lead', fields: [] }],
      ['a column that exists (Lead.Email)', 'entities/Lead/fields', { name: 'Email', type: 'System.String' }],
    ])('answers 409 for %s', async (_name, path, body) => {
      expectError(await api.admin.post(`/api/tenants/${tenantId}/${path}`, body), 409);
    });

    it('answers 409 when an object added over the API is added again', async () => {
      const body = { name: 'Once', fields: [{ name: 'Name', type: 'System.String' }] };
      expect((await api.admin.post(`/api/tenants/${tenantId}/entities`, body)).status).toBe(201);
      expectError(await api.admin.post(`/api/tenants/${tenantId}/entities`, body), 409, 'Once');
      expectError(await api.admin.post(`/api/tenants/${tenantId}/entities/Once/fields`, { name: 'Name', type: 'System.Int32' }), 409, 'Name');
    });

    it.each([
      ['POST', 'entities/Nothing/fields', { name: 'A', type: 'System.String' }],
      ['PATCH', 'entities/Nothing', { inWebhookLookup: false }],
    ])('%s %s answers 404 for an object that does not exist', async (method, path, body) => {
      expectError(await api.admin.request(method, `/api/tenants/${tenantId}/${path}`, body), 404, 'Nothing');
    });
  });
});
