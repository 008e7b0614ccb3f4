import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { expectError, useAdminApi } from '../support/admin-api.js';
import { databaseKinds } from '../support/databases.js';

const typeform = JSON.parse(readFileSync(new URL('../fixtures/forms/typeform.json', import.meta.url), 'utf8'));

describe.each(databaseKinds())('POST expressions/evaluate (%s)', (kind) => {
  const api = useAdminApi(kind);
  const evaluate = async (body: unknown) => {
    const tenantId = await api.createTenant('Expressions');
    return api.admin.post(`/api/tenants/${tenantId}/expressions/evaluate`, body);
  };

  it('answers the value of the expression on the payload, in the engine sandbox ($parseJson, $vars)', async () => {
    const answer = await evaluate({ expression: "form_response.answers[field.ref='full_name'].text", payload: typeform });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { defined: true, value: 'Ada Lovelace' } });
    const parsed = await evaluate({ expression: '$parseJson(raw).a & $vars.suffix', payload: { raw: '{"a":"x"}' }, vars: { suffix: '!' } });
    expect(parsed.body).toEqual({ defined: true, value: 'x!' });
  });

  it('says when the expression gives nothing on the payload', async () => {
    const answer = await evaluate({ expression: 'no.such.field', payload: typeform });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { defined: false, value: null } });
  });

  it('answers 400 INVALID_ARGUMENT with the position of an expression that does not parse', async () => {
    const answer = await evaluate({ expression: 'first &', payload: {} });
    expectError(answer, 400, 'does not parse');
    expect(answer.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { position: expect.any(Number) } });
  });

  it('answers 422 EXPRESSION_FAILED with the position of an expression that fails on the payload', async () => {
    const answer = await evaluate({ expression: '$number(name)', payload: { name: 'Ada' } });
    expectError(answer, 422, 'failed');
    expect(answer.body).toMatchObject({ code: 'EXPRESSION_FAILED', details: { position: expect.any(Number) } });
  });

  it('answers 422 EXPRESSION_FAILED when the expression runs into a limit', async () => {
    const answer = await evaluate({ expression: '[1..100000000]', payload: {} });
    expectError(answer, 422);
    expect(answer.body).toMatchObject({ code: 'EXPRESSION_FAILED', details: { limit: true } });
  });

  it('answers 400 without an expression or with a payload that is not an object', async () => {
    expectError(await evaluate({ payload: {} }), 400, 'expression');
    expectError(await evaluate({ expression: 'a', payload: 'text' }), 400, 'payload');
  });
});
