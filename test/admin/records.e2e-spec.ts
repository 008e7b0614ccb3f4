import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { ApiResponse, Json } from '../support/admin-client.js';
import { CANADA_ID, expectError, UUID, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

describe.each(databaseKinds())('admin API over HTTP (%s)', (kind) => {
  const api = useAdminApi(kind);

  describe('records', () => {
    it('POST records/Country → 201; a webhook naming the new Country resolves to it', async () => {
      const tenantId = await api.createTenant('Countries');
      const key = await api.createKey(tenantId);
      const created = await api.admin.post(`/api/tenants/${tenantId}/records/Country`, { Name: 'Atlantis', Code: 'AT' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        Id: expect.stringMatching(UUID),
        Name: 'Atlantis',
        Code: 'AT',
        CreatedOn: expect.any(String),
        ModifiedOn: expect.any(String),
      });
      const one = await api.admin.get(`/api/tenants/${tenantId}/records/Country/${created.body.Id}`);
      expect({ status: one.status, body: one.body }).toEqual({ status: 200, body: created.body });

      const webhookId = await api.send(key.apiKey, { EntityName: 'Lead', Contact: 'Ada', Country: 'Atlantis' });
      const detail = await api.settle(tenantId, webhookId);
      expect(detail.status).toBe('processed');
      expect(detail.records).toEqual([expect.objectContaining({ object: 'Lead', Contact: 'Ada', CountryId: created.body.Id })]);
      const lead = await api.admin.get(`/api/tenants/${tenantId}/records/Lead/${detail.recordIds[0]}`);
      expect(lead.status).toBe(200);
      expect(lead.body).toMatchObject({ Id: detail.recordIds[0], Contact: 'Ada', CountryId: created.body.Id });
    });

    it('GET records: filter[Column], limit and cursor page through every record once, newest first', async () => {
      const tenantId = await api.createTenant('Paging');
      const created: Json[] = [];
      for (let i = 0; i < 7; i++) {
        created.push(
          await api.createRecord(tenantId, 'Contact', { Name: `Person ${i}`, Email: `person${i}@example.com`, Notes: i % 2 === 0 ? 'even' : 'odd' }),
        );
      }

      async function pages(query: Record<string, string>): Promise<Json[][]> {
        const seen: Json[][] = [];
        let cursor: string | null = null;
        do {
          const response: ApiResponse = await api.admin.get(`/api/tenants/${tenantId}/records/Contact`, cursor ? { ...query, cursor } : query);
          expect(response.status).toBe(200);
          seen.push(response.body.items);
          cursor = response.body.nextCursor;
          expect(seen.length).toBeLessThan(10);
        } while (cursor);
        return seen;
      }

      const all = await pages({ limit: '3' });
      expect(all.map((page) => page.length)).toEqual([3, 3, 1]);
      const ids = all.flat().map((record) => record.Id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(created.map((record) => record.Id).sort());
      const times = all.flat().map((record) => Date.parse(record.CreatedOn));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const even = await pages({ 'filter[Notes]': 'even', limit: '2' });
      expect(even.map((page) => page.length)).toEqual([2, 2]);
      expect(
        even
          .flat()
          .map((record) => record.Name)
          .sort(),
      ).toEqual(['Person 0', 'Person 2', 'Person 4', 'Person 6']);

      const byEmail = await api.admin.get(`/api/tenants/${tenantId}/records/Contact`, { 'filter[Email]': '  PERSON4@Example.com ' });
      expect(byEmail.status).toBe(200);
      expect(byEmail.body).toEqual({ items: [created[4]], nextCursor: null });

      const none = await api.admin.get(`/api/tenants/${tenantId}/records/Contact`, { 'filter[Email]': 'nobody@example.com' });
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });

    describe('refusals', () => {
      let tenantId: string;

      beforeAll(async () => {
        tenantId = await api.createTenant('Record refusals');
      });

      const refusals: Array<[string, string, string, Record<string, string> | undefined, unknown, number, string]> = [
        ['a list of an unknown entity', 'GET', 'records/Nothing', undefined, undefined, 404, 'Nothing'],
        ['a record of an unknown entity', 'GET', `records/Nothing/${randomUUID()}`, undefined, undefined, 404, 'Nothing'],
        ['a record that does not exist', 'GET', `records/Contact/${randomUUID()}`, undefined, undefined, 404, 'Contact'],
        ['a record of another entity (Canada as a Lead)', 'GET', `records/Lead/${CANADA_ID}`, undefined, undefined, 404, 'Lead'],
        ['a new record of an unknown entity', 'POST', 'records/Nothing', undefined, { Name: 'x' }, 404, 'Nothing'],
        ['a filter on an unknown column', 'GET', 'records/Contact', { 'filter[Nope]': 'x' }, undefined, 400, 'filter[Nope]'],
        ['limit 0', 'GET', 'records/Contact', { limit: '0' }, undefined, 400, 'limit'],
        ['limit 501', 'GET', 'records/Contact', { limit: '501' }, undefined, 400, 'limit'],
        ['a cursor the API did not give out', 'GET', 'records/Contact', { cursor: 'not-a-cursor' }, undefined, 400, 'cursor'],
        ['a new record without its required column', 'POST', 'records/Country', undefined, { Code: 'XX' }, 400, 'Name'],
        ['a new record with an unknown column', 'POST', 'records/Country', undefined, { Name: 'Xland', Bogus: 1 }, 400, 'Bogus'],
        ['a new record that sets Id', 'POST', 'records/Country', undefined, { Name: 'Xland', Id: randomUUID() }, 400, 'Id'],
        ['a new record with a value of the wrong type', 'POST', 'records/Contact', undefined, { Name: 'X', Age: 'old' }, 400, 'Age'],
        ['a new record with a lookup name that matches nothing', 'POST', 'records/Contact', undefined, { Name: 'X', Country: 'Xland' }, 400, 'Country'],
        ['a new record given as an array', 'POST', 'records/Country', undefined, [{ Name: 'Xland' }], 400, 'object'],
      ];
      it.each(refusals)('refuses %s (%s %s)', async (_name, method, path, query, body, status, named) => {
        const search = query ? `?${new URLSearchParams(query).toString()}` : '';
        expectError(await api.admin.request(method, `/api/tenants/${tenantId}/${path}${search}`, body), status, named);
      });

      it('wrote none of the refused records', async () => {
        const countries = await api.admin.get(`/api/tenants/${tenantId}/records/Country`, { 'filter[Name]': 'Xland' });
        expect(countries.body.items).toEqual([]);
        expect((await api.admin.get(`/api/tenants/${tenantId}/records/Contact`)).body.items).toEqual([]);
      });
    });
  });
});
