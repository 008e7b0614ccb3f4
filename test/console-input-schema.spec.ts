import { describe, expect, it } from '@jest/globals';
import {
  choicesOf,
  fieldsOf,
  kindOf,
  mapOf,
  numberProblem,
  parseJsonField,
  rowsOf,
  valueOfText,
  withValue,
  // @ts-expect-error The console's modules are plain JavaScript, checked by these tests.
} from '../console-ui/src/views/designer/input-schema.js';
import { CreateRecordStep } from '../src/engine/steps/create-record.step.js';
import { FindRecordStep } from '../src/engine/steps/find-record.step.js';
import { HttpRequestStep } from '../src/engine/steps/http-request.step.js';
import { MapParametersStep } from '../src/engine/steps/map-parameters.step.js';
import { WaitForWebhookStep } from '../src/engine/steps/wait-for-webhook.step.js';

/** The schemas GET /api/step-types answers: the step types' own. */
const schema = {
  createRecord: new CreateRecordStep(undefined as never, undefined as never).inputSchema,
  findRecord: new FindRecordStep(undefined as never, undefined as never).inputSchema,
  httpRequest: new HttpRequestStep(undefined as never, undefined as never).inputSchema,
  mapParameters: new MapParametersStep().inputSchema,
  waitForWebhook: new WaitForWebhookStep().inputSchema,
};

interface Field {
  name: string;
  kind: string;
  required: boolean;
}
const kinds = (fields: Field[]) => Object.fromEntries(fields.map((field) => [field.name, field.kind]));

describe("the designer's form of a step's input, from its step type's schema", () => {
  it('gives each property of create-record a control: texts for the object and expressions, key → expression rows for the values', () => {
    const fields: Field[] = fieldsOf(schema.createRecord, { object: 'Lead', values: { Email: 'Email' } });
    expect(kinds(fields)).toEqual({ object: 'text', objectFrom: 'text', values: 'map', valuesFrom: 'text' });
    expect(choicesOf(schema.createRecord)).toEqual([
      ['object', 'objectFrom'],
      ['values', 'valuesFrom'],
    ]);
  });

  it('marks required properties; a property of no type (an expression or any constant) is JSON; booleans, enums, lists of texts', () => {
    const fields: Field[] = fieldsOf(schema.findRecord, undefined);
    expect(kinds(fields)).toEqual({ object: 'text', column: 'text', value: 'json', required: 'boolean' });
    expect(fields.filter((field) => field.required).map((field) => field.name)).toEqual(['object', 'column', 'value']);
    expect(kinds(fieldsOf(schema.mapParameters, {}))).toEqual({ object: 'text', ignore: 'list' });
    expect(kinds(fieldsOf(schema.waitForWebhook, {}))).toMatchObject({ apiKeys: 'list', timeout: 'text' });
    expect(kinds(fieldsOf(schema.httpRequest, {}))).toMatchObject({
      method: 'enum',
      url: 'text',
      headers: 'map',
      body: 'json',
      timeoutMs: 'integer',
      auth: 'json',
    });
  });

  it('falls back to JSON, for that property only, when a value does not fit its control; keeps properties the schema does not name', () => {
    const fields: Field[] = fieldsOf(schema.createRecord, { object: 'Lead', values: { Email: 'Email', Budget: 100 }, extra: [1] });
    expect(kinds(fields)).toEqual({ object: 'text', objectFrom: 'text', values: 'json', valuesFrom: 'text', extra: 'json' });
    expect(kindOf({ enum: ['GET', 'POST'] }, 'PATCH')).toBe('json');
    expect(kindOf({ type: 'integer' }, '5')).toBe('json');
  });

  it('writes values back: an emptied field removes the property, numbers parse, map rows without a key are left out', () => {
    expect(withValue({ object: 'Lead', objectFrom: 'x' }, 'objectFrom', undefined)).toEqual({ object: 'Lead' });
    expect(withValue(undefined, 'object', 'Contact')).toEqual({ object: 'Contact' });
    expect(valueOfText('text', '')).toBeUndefined();
    expect(valueOfText('integer', '250')).toBe(250);
    expect(numberProblem('integer', valueOfText('integer', '2.5'))).toBe('not a whole number');
    expect(numberProblem('number', valueOfText('number', 'abc'))).toBe('not a number');
    expect(mapOf([...rowsOf({ Email: 'Email' }), ['', 'dropped'], ['Notes', "'x'"]])).toEqual({ Email: 'Email', Notes: "'x'" });
    expect(mapOf([])).toBeUndefined();
    expect(parseJsonField('"Email"')).toEqual({ value: 'Email' });
    expect(parseJsonField('{')).toEqual({ problem: expect.stringMatching(/^not JSON/) });
  });
});
