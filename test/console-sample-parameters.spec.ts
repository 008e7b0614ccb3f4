import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
// @ts-expect-error The console's modules are plain JavaScript, checked by these tests.
import { fieldsOf } from '../console-ui/src/views/designer/input-schema.js';
// @ts-expect-error The console's modules are plain JavaScript, checked by these tests.
import { expressionOf, sampleParameters } from '../console-ui/src/views/designer/sample-parameters.js';
import { Expression } from '../src/engine/expression.js';
import { ConditionStep } from '../src/engine/steps/condition.step.js';
import { CreateRecordStep } from '../src/engine/steps/create-record.step.js';

const typeform = JSON.parse(readFileSync(new URL('./fixtures/forms/typeform.json', import.meta.url), 'utf8'));

interface Parameter {
  path: string;
  expression: string;
  value: unknown;
}

describe("the designer's expression fields and the sample's parameters", () => {
  it('knows the expression fields from the x-expression mark of the step types’ schemas', () => {
    const fields = fieldsOf(new CreateRecordStep(undefined as never, undefined as never).inputSchema, {});
    expect(Object.fromEntries(fields.map((field: { name: string; expression: boolean }) => [field.name, field.expression]))).toEqual({
      object: false,
      objectFrom: true,
      values: true,
      valuesFrom: true,
    });
    expect(fieldsOf(new ConditionStep().inputSchema, {})[0]).toMatchObject({ name: 'if', expression: true });
  });

  it("lists a Typeform webhook's answers by field.ref, then its plain keys, each expression reading the value listed", async () => {
    const { form, keys, source } = sampleParameters(typeform);
    expect(source).toBe('typeform');
    const email = form.find((parameter: Parameter) => parameter.path.includes("'email_address'"));
    expect(email).toMatchObject({ value: 'ada@analytical.example' });
    expect(await Expression.compile(email.expression).evaluate(typeform, {})).toBe('ada@analytical.example');
    const token = keys.find((parameter: Parameter) => parameter.path === 'form_response.token');
    expect(await Expression.compile(token.expression).evaluate(typeform, {})).toBe(typeform.form_response.token);
    for (const parameter of [...form, ...keys] as Parameter[]) expect(() => Expression.compile(parameter.expression)).not.toThrow();
  });

  it('quotes names that are no JSONata names and reads list items by index', () => {
    expect(expressionOf(['data', 'first name', 0, 'and'])).toBe('data.`first name`[0].`and`');
    expect(sampleParameters({ items: [{ a: 1 }], 'x-y': 'z' }).keys.map((parameter: Parameter) => parameter.expression)).toEqual(['items[0].a', '`x-y`']);
  });

  it('has nothing for a payload that is not an object', () => {
    expect(sampleParameters(null)).toEqual({ form: [], keys: [], source: null, cut: false });
  });
});
