import { beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CatalogueService } from '../../catalogue/catalogue.service.js';
import { CANADA_ID } from '../../catalogue/default-catalogue.js';
import type { RecordsRepository } from '../../catalogue/records.repository.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { DefinitionCompiler, formatProblem } from '../definition-compiler.js';
import type { CompiledProcess } from '../compiled-process.js';
import { ProcessRunner, type RunOutcome } from '../process-runner.js';
import { StepRegistry } from '../step-registry.js';
import type { OutboundHttp, OutboundRequest, OutboundResponse } from '../outbound-http.js';
import type { StepType } from '../step-type.js';
import { SecretReferences } from '../secret-references.js';
import type { TenantSecretsService } from '../../secrets/tenant-secrets.service.js';
import type { AppConfig } from '../../config/config.js';
import { ConditionStep } from './condition.step.js';
import { CreateRecordStep } from './create-record.step.js';
import { FailStep } from './fail.step.js';
import { FindRecordStep } from './find-record.step.js';
import { HttpRequestStep } from './http-request.step.js';
import { MapParametersStep } from './map-parameters.step.js';
import { MapStep } from './map.step.js';
import { ResolveObjectStep } from './resolve-object.step.js';
import { SetVariableStep } from './set-variable.step.js';
import { StopStep } from './stop.step.js';
import { UpsertRecordStep } from './upsert-record.step.js';
import { FakeCatalogue, FakeRecordsRepository, SEEDED_AT, TENANT } from '../../../test/support/in-memory-catalogue.js';

const UNITED_STATES_ID = '86251e9b-5de1-4ec5-9f71-fda3effcdf12';
const UNITED_KINGDOM_ID = 'e3eba460-bd07-4dbe-9911-8cfcc80db795';

/** The other side of http-request steps: records every request and answers the next queued response. */
class FakeOutboundHttp implements Pick<OutboundHttp, 'send' | 'clientCredentialsToken'> {
  readonly requests: OutboundRequest[] = [];
  readonly responses: OutboundResponse[] = [];

  async send(request: OutboundRequest): Promise<OutboundResponse> {
    this.requests.push(request);
    const response = this.responses.shift();
    if (!response) throw new Error('FakeOutboundHttp: no response queued');
    return response;
  }

  async clientCredentialsToken(): Promise<string> {
    throw new Error('FakeOutboundHttp: no token endpoint');
  }
}

/** The tenant's secret store: one secret, "crm-token", for TENANT only. */
const tenantSecrets = {
  async reveal(tenantId: string, name: string) {
    return tenantId === TENANT && name === 'crm-token' ? 'tok-123' : null;
  },
} as unknown as TenantSecretsService;

let repository: FakeRecordsRepository;
let http: FakeOutboundHttp;
let compiler: DefinitionCompiler;
const runner = new ProcessRunner();

beforeEach(() => {
  repository = new FakeRecordsRepository();
  http = new FakeOutboundHttp();
  const catalogue = new FakeCatalogue() as unknown as CatalogueService;
  const records = new RecordsService(repository as unknown as RecordsRepository, catalogue);
  compiler = new DefinitionCompiler(
    new StepRegistry([
      new ResolveObjectStep(catalogue),
      new MapParametersStep(),
      new MapStep(),
      new SetVariableStep(),
      new ConditionStep(),
      new FindRecordStep(catalogue, records),
      new CreateRecordStep(catalogue, records),
      new UpsertRecordStep(catalogue, records),
      new HttpRequestStep(http as unknown as OutboundHttp, new SecretReferences(tenantSecrets, { processEnvPrefix: 'HOOKFLOW_PROCESS_' } as AppConfig)),
      new FailStep(),
      new StopStep(),
    ] as StepType<never, unknown>[]),
  );
});

/** Compiles an inline definition around the steps; a definition that does not compile fails the test. */
function compile(steps: unknown[], condition?: string, id = 'test-process'): CompiledProcess {
  const result = compiler.compile({
    id,
    name: 'Test process',
    version: 1,
    activeByDefault: false,
    trigger: condition === undefined ? { type: 'webhook' } : { type: 'webhook', condition },
    steps,
  });
  if (!result.ok) throw new Error(`the test definition does not compile:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.process;
}

function run(process: CompiledProcess, payload: Record<string, unknown>, options: { webhookId?: string; dryRun?: boolean } = {}): Promise<RunOutcome> {
  const webhookId = options.webhookId ?? 'webhook-1';
  return runner.run(process, {
    tenantId: TENANT,
    webhookId,
    payload,
    webhook: { id: webhookId, apiKeyId: 'key-1', apiKeyName: 'Landing page', receivedAt: '2024-05-17T09:30:00.000Z' },
    dryRun: options.dryRun,
  });
}

const steps = (outcome: RunOutcome) => outcome.trace.map((entry) => entry.step);
const output = (outcome: RunOutcome, step: string) => outcome.trace.find((entry) => entry.step === step)?.output;

/** A run that should have succeeded; its error is shown when it did not. */
function succeeded(outcome: RunOutcome): RunOutcome {
  expect({ status: outcome.status, error: outcome.error?.message ?? null }).toEqual({ status: 'completed', error: null });
  return outcome;
}

const TYPEFORM_PAYLOAD = {
  first: 'Ada',
  last: 'Lovelace',
  form_response: {
    form_id: 'lT4Z3j',
    answers: [
      { type: 'text', text: 'Analytical Engines', field: { id: 'f1', ref: 'company' } },
      { type: 'email', email: 'ada@example.com', field: { id: 'f2', ref: 'email' } },
      { type: 'number', number: 36, field: { id: 'f3', ref: 'age' } },
    ],
  },
};

describe('map', () => {
  it('builds fields from paths, nested filters, constants and computations, leaving out missing paths', async () => {
    const process = compile([
      {
        id: 'shape',
        type: 'map',
        input: {
          fields: {
            email: 'form_response.answers[field.ref="email"].email',
            age: 'form_response.answers[field.ref="age"].number',
            company: 'form_response.answers[field.ref="company"].text',
            name: 'first & " " & last',
            source: '"typeform"',
            count: 3,
            confirmed: true,
            tags: ['a', 'b'],
            nothing: null,
            missing: 'form_response.answers[field.ref="phone"].phone_number',
            alsoMissing: 'no.such.path',
          },
        },
      },
    ]);

    const outcome = succeeded(await run(process, TYPEFORM_PAYLOAD));

    expect(output(outcome, 'shape')).toEqual({
      email: 'ada@example.com',
      age: 36,
      company: 'Analytical Engines',
      name: 'Ada Lovelace',
      source: 'typeform',
      count: 3,
      confirmed: true,
      tags: ['a', 'b'],
      nothing: null,
    });
  });

  it('makes its output available to later steps as $steps.<id>', async () => {
    const process = compile([
      { id: 'shape', type: 'map', input: { fields: { email: 'form_response.answers[field.ref="email"].email' } } },
      { id: 'again', type: 'map', input: { fields: { upper: '$uppercase($steps.shape.email)', webhook: '$webhook.apiKeyName' } } },
    ]);

    const outcome = succeeded(await run(process, TYPEFORM_PAYLOAD));

    expect(output(outcome, 'again')).toEqual({ upper: 'ADA@EXAMPLE.COM', webhook: 'Landing page' });
  });

  it('fails the run (not a retry) when an expression fails while running', async () => {
    const process = compile([
      { id: 'shape', type: 'map', input: { fields: { age: '$number(age)' } } },
      { id: 'after', type: 'stop' },
    ]);

    const outcome = await run(process, { age: 'thirty-six' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.ExpressionFailed);
    expect(outcome.error?.message).toMatch(/^Expression "\$number\(age\)" failed: /);
    expect(steps(outcome)).toEqual(['shape']);
    expect(outcome.trace[0]).toMatchObject({ status: 'failed', error: outcome.error?.message });
  });

  // A field that yields a function (a typo such as "$uppercase" without arguments) is a mistake
  // of the definition: the run must fail with EXPRESSION_FAILED, not throw a TypeError that the
  // runner turns into a TRANSIENT error and retries for ever.
  it('fails the run when a field yields a function instead of a value', async () => {
    const process = compile([{ id: 'shape', type: 'map', input: { fields: { lambda: 'function($x) { $x }' } } }]);

    const outcome = await run(process, {}).then(
      (result) => ({ status: result.status, code: result.error?.code, message: result.error?.message }),
      (error: AppError) => ({ rejectedWith: error.code, message: error.message }),
    );

    expect(outcome).toEqual({
      status: 'failed',
      code: ErrorCode.ExpressionFailed,
      message: expect.stringMatching(/returned a function, not a value/),
    });
  });
});

describe('set-variable', () => {
  it('sets $vars for later steps, from an expression or a constant', async () => {
    const process = compile([
      { id: 'name', type: 'set-variable', input: { name: 'fullName', value: 'first & " " & last' } },
      { id: 'tier', type: 'set-variable', input: { name: 'tier', value: 3 } },
      { id: 'greet', type: 'map', input: { fields: { greeting: '"Hello " & $vars.fullName', tier: '$vars.tier + 1' } } },
    ]);

    const outcome = succeeded(await run(process, { first: 'Ada', last: 'Lovelace' }));

    expect(output(outcome, 'name')).toBe('Ada Lovelace');
    expect(output(outcome, 'tier')).toBe(3);
    expect(output(outcome, 'greet')).toEqual({ greeting: 'Hello Ada Lovelace', tier: 4 });
  });

  it('lets a later set-variable overwrite an earlier one', async () => {
    const process = compile([
      { id: 'a', type: 'set-variable', input: { name: 'n', value: 1 } },
      { id: 'b', type: 'set-variable', input: { name: 'n', value: '$vars.n * 10' } },
      { id: 'c', type: 'map', input: { fields: { n: '$vars.n' } } },
    ]);

    expect(output(succeeded(await run(process, {})), 'c')).toEqual({ n: 10 });
  });
});

describe('condition', () => {
  const branching = () =>
    compile([
      {
        id: 'check',
        type: 'condition',
        input: { if: 'amount > 100' },
        then: [
          { id: 'big', type: 'set-variable', input: { name: 'size', value: '"big"' } },
          { id: 'review', type: 'set-variable', input: { name: 'review', value: true } },
        ],
        else: [{ id: 'small', type: 'set-variable', input: { name: 'size', value: '"small"' } }],
      },
      { id: 'after', type: 'map', input: { fields: { size: '$vars.size', review: '$vars.review' } } },
    ]);

  it('runs only the then steps when "if" is true, then the steps after it', async () => {
    const outcome = succeeded(await run(branching(), { amount: 150 }));

    expect(steps(outcome)).toEqual(['check', 'big', 'review', 'after']);
    expect(output(outcome, 'check')).toBe(true);
    expect(output(outcome, 'after')).toEqual({ size: 'big', review: true });
  });

  it('runs only the else steps when "if" is false', async () => {
    const outcome = succeeded(await run(branching(), { amount: 5 }));

    expect(steps(outcome)).toEqual(['check', 'small', 'after']);
    expect(output(outcome, 'check')).toBe(false);
    expect(output(outcome, 'after')).toEqual({ size: 'small' });
  });

  it.each<[string, boolean, Record<string, unknown>]>([
    ['a missing value', false, {}],
    ['an empty list', false, { tags: [] }],
    ['an empty string', false, { tags: '' }],
    ['zero', false, { tags: 0 }],
    ['a non-empty list', true, { tags: ['vip'] }],
    ['a string', true, { tags: 'vip' }],
  ])('treats %s as %s', async (_label, expected, payload) => {
    const process = compile([
      { id: 'check', type: 'condition', input: { if: 'tags' }, then: [{ id: 'yes', type: 'stop' }], else: [{ id: 'no', type: 'stop' }] },
    ]);

    const outcome = succeeded(await run(process, payload));

    expect(steps(outcome)).toEqual(['check', expected ? 'yes' : 'no']);
  });

  it('runs nothing extra when the chosen branch is empty', async () => {
    const process = compile([
      { id: 'check', type: 'condition', input: { if: 'false' }, then: [{ id: 'never', type: 'stop' }] },
      { id: 'after', type: 'set-variable', input: { name: 'x', value: 1 } },
    ]);

    expect(steps(succeeded(await run(process, {})))).toEqual(['check', 'after']);
  });

  it('runs nested conditions', async () => {
    const process = compile([
      {
        id: 'outer',
        type: 'condition',
        input: { if: 'country = "CA"' },
        then: [
          {
            id: 'inner',
            type: 'condition',
            input: { if: 'amount > 100' },
            then: [{ id: 'bigCanadian', type: 'set-variable', input: { name: 'kind', value: '"big CA"' } }],
            else: [{ id: 'smallCanadian', type: 'set-variable', input: { name: 'kind', value: '"small CA"' } }],
          },
        ],
        else: [{ id: 'foreign', type: 'set-variable', input: { name: 'kind', value: '"foreign"' } }],
      },
    ]);

    expect(steps(succeeded(await run(process, { country: 'CA', amount: 10 })))).toEqual(['outer', 'inner', 'smallCanadian']);
    expect(steps(succeeded(await run(process, { country: 'US', amount: 1000 })))).toEqual(['outer', 'foreign']);
  });
});

describe('trigger condition', () => {
  it('skips the run when the condition is false: no step runs', async () => {
    const process = compile([{ id: 'shape', type: 'map', input: { fields: { a: '1' } } }], 'EntityName = "Order"');

    const outcome = await run(process, { EntityName: 'Lead' });

    expect(outcome.status).toBe('skipped');
    expect(outcome.error).toBeNull();
    expect(outcome.trace).toEqual([{ step: 'trigger', type: 'condition', status: 'ok', at: expect.any(String), durationMs: 0, output: false }]);
    expect(outcome.recordIds).toEqual([]);
  });

  it('runs the steps when the condition is true', async () => {
    const process = compile([{ id: 'shape', type: 'map', input: { fields: { a: '1' } } }], 'EntityName = "Order"');

    const outcome = succeeded(await run(process, { EntityName: 'Order' }));

    expect(outcome.trace.map(({ step, output: result }) => [step, result])).toEqual([
      ['trigger', true],
      ['shape', { a: 1 }],
    ]);
  });

  it('fails the run, without running a step, when the condition fails while running', async () => {
    const process = compile([{ id: 'shape', type: 'map', input: { fields: { a: '1' } } }], '$number(amount) > 1');

    const outcome = await run(process, { amount: 'lots' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.ExpressionFailed);
    expect(steps(outcome)).toEqual(['trigger']);
    expect(outcome.trace[0].status).toBe('failed');
  });

  // The same expression must decide the same way as trigger condition and as condition step:
  // an empty list is not true (the condition step takes the else branch for it).
  it('skips the run when the condition yields an empty list, as a condition step would', async () => {
    const process = compile([{ id: 'shape', type: 'map', input: { fields: { a: '1' } } }], 'tags');

    const outcome = await run(process, { tags: [] });

    expect(outcome.status).toBe('skipped');
    expect(steps(outcome)).toEqual(['trigger']);
  });
});

describe('find-record', () => {
  const finding = (required?: boolean) =>
    compile([
      { id: 'country', type: 'find-record', input: { object: 'Country', column: 'Name', value: 'country', ...(required === undefined ? {} : { required }) } },
      { id: 'after', type: 'map', input: { fields: { code: '$steps.country.Code', id: '$steps.country.Id' } } },
    ]);

  it('outputs the one matching record, with its Id (text compares trimmed and case-insensitively)', async () => {
    const outcome = succeeded(await run(finding(), { country: '  united STATES ' }));

    expect(output(outcome, 'country')).toEqual({ found: 1, recordId: UNITED_STATES_ID });
    expect(output(outcome, 'after')).toEqual({ code: 'US', id: UNITED_STATES_ID });
  });

  it('outputs the whole record as the step output', async () => {
    const process = compile([
      { id: 'country', type: 'find-record', input: { object: 'Country', column: 'Code', value: '"CA"' } },
      { id: 'after', type: 'map', input: { fields: { record: '$steps.country' } } },
    ]);

    const outcome = succeeded(await run(process, {}));

    expect(output(outcome, 'after')).toEqual({
      record: { Id: CANADA_ID, Name: 'Canada', Code: 'CA', CreatedOn: SEEDED_AT.toISOString(), ModifiedOn: SEEDED_AT.toISOString() },
    });
  });

  it('finds a record by Id', async () => {
    const process = compile([{ id: 'country', type: 'find-record', input: { object: 'Country', column: 'Id', value: 'countryId' } }]);

    const outcome = succeeded(await run(process, { countryId: CANADA_ID }));

    expect(output(outcome, 'country')).toEqual({ found: 1, recordId: CANADA_ID });
  });

  it('outputs null when nothing matches and the record is not required', async () => {
    const outcome = succeeded(await run(finding(), { country: 'Atlantis' }));

    expect(output(outcome, 'country')).toEqual({ found: 0 });
    expect(output(outcome, 'after')).toEqual({});
  });

  it('outputs null when there is no value to look for', async () => {
    const outcome = succeeded(await run(finding(), {}));

    expect(output(outcome, 'country')).toEqual({ found: 0 });
  });

  it('fails when a required record is not found', async () => {
    const outcome = await run(finding(true), { country: 'Atlantis' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.Unmappable);
    expect(outcome.error?.message).toBe('no Country record has Name "Atlantis"');
    expect(steps(outcome)).toEqual(['country']);
  });

  it('fails when a required record has no value to look for', async () => {
    const outcome = await run(finding(true), { country: '' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Country.Name: no value to look for');
  });

  it('fails when several records match', async () => {
    repository.seed('Lead', 'aaaaaaaa-0000-4000-8000-000000000001', { Contact: 'First', Email: 'dup@example.com' });
    repository.seed('Lead', 'aaaaaaaa-0000-4000-8000-000000000002', { Contact: 'Second', Email: 'DUP@example.com ' });
    const process = compile([{ id: 'lead', type: 'find-record', input: { object: 'Lead', column: 'Email', value: 'email' } }]);

    const outcome = await run(process, { email: 'dup@example.com' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.Unmappable);
    expect(outcome.error?.message).toBe('several Lead records have Email "dup@example.com"');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown object', { object: 'Planet', column: 'Name', value: '"Mars"' }, `Object "Planet" does not exist in this tenant's catalogue`],
    ['an unknown column', { object: 'Country', column: 'Capital', value: '"Ottawa"' }, '"Country" has no column "Capital"'],
  ])('fails for %s', async (_label, input, message) => {
    const outcome = await run(compile([{ id: 'find', type: 'find-record', input }]), {});

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe(message);
  });
});

describe('create-record', () => {
  const contact = (values: Record<string, unknown>) => compile([{ id: 'contact', type: 'create-record', input: { object: 'Contact', values } }]);

  it('creates a record from a values map of expressions and constants, converting each value', async () => {
    const process = contact({
      Name: '$trim(name)',
      Email: '$lowercase(email)',
      Age: 'age',
      BirthDate: 'born',
      IsEmailConfirmed: true,
      Country: 'country',
      Notes: 'no.such.path',
    });

    const outcome = succeeded(
      await run(process, { name: ' Ada Lovelace ', email: 'Ada@Example.com', age: '36', born: '1815-12-10', country: 'united kingdom' }),
    );

    const [created] = repository.created('Contact');
    expect(created.data).toEqual({
      Name: 'Ada Lovelace',
      Email: 'ada@example.com',
      Age: 36,
      BirthDate: '1815-12-10T00:00:00.000Z',
      IsEmailConfirmed: true,
      CountryId: UNITED_KINGDOM_ID,
    });
    expect(created.sourceKey).toBe('webhook-1:test-process:contact');
    expect(outcome.recordIds).toEqual([created.id]);
    expect(output(outcome, 'contact')).toEqual({ object: 'Contact', recordId: created.id });
  });

  it('reports every conversion problem, joined by "; ", and writes nothing', async () => {
    const process = contact({ Name: 'name', Age: 'age', IsEmailConfirmed: 'confirmed', CountryId: 'countryId' });

    const outcome = await run(process, { name: 'Ada', age: 'thirty-six', confirmed: 'maybe', countryId: 'Canada' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.Unmappable);
    expect(outcome.error?.message).toBe(
      [
        'Age: "thirty-six" is not a whole number',
        'IsEmailConfirmed: "maybe" is not a boolean (use true/false, 1/0 or on/off)',
        'CountryId: "Canada" is not a GUID',
      ].join('; '),
    );
    expect(repository.writes).toEqual([]);
  });

  it('reports a column the object does not have and a missing required column', async () => {
    const outcome = await run(contact({ Email: 'email', Shoe: 'size' }), { email: 'ada@example.com', size: 38 });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Shoe: "Contact" has no such column; Name: required column "Full name" has no value');
  });

  it('refuses an object that is not in the Webhook entities lookup', async () => {
    const process = compile([{ id: 'country', type: 'create-record', input: { object: 'Country', values: { Name: '"Atlantis"' } } }]);

    const outcome = await run(process, {});

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.Unmappable);
    expect(outcome.error?.message).toBe(`Object "Country" is not in this tenant's Webhook entities lookup`);
    expect(repository.writes).toEqual([]);
  });

  it('takes the object and the values from expressions (objectFrom, valuesFrom)', async () => {
    const process = compile([
      { id: 'shape', type: 'map', input: { fields: { Number: 'order.no', Amount: 'order.total', Status: '"In progress"' } } },
      { id: 'order', type: 'create-record', input: { objectFrom: 'kind', valuesFrom: '$steps.shape' } },
    ]);

    succeeded(await run(process, { kind: 'Order', order: { no: 'A-17', total: '99.50' } }));

    expect(repository.created('Order').map((record) => record.data)).toEqual([
      { Number: 'A-17', Amount: 99.5, StatusId: '3f794150-3529-4526-b7bb-2dd53359c5e4' },
    ]);
  });

  it('refuses values that are not an object', async () => {
    const process = compile([{ id: 'lead', type: 'create-record', input: { object: 'Lead', valuesFrom: 'items' } }]);

    const outcome = await run(process, { items: [1, 2] });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('the values to write must be an object of column values, got a list');
  });

  it('plans the create in a dry run and writes nothing', async () => {
    const outcome = succeeded(await run(contact({ Name: 'name' }), { name: 'Ada' }, { dryRun: true }));

    expect(outcome.plannedWrites).toEqual([{ step: 'contact', action: 'create', object: 'Contact', recordId: null, values: { Name: 'Ada' } }]);
    expect(outcome.recordIds).toEqual([]);
    expect(repository.writes).toEqual([]);
  });
});

describe('upsert-record', () => {
  const upsert = () =>
    compile([
      {
        id: 'contact',
        type: 'upsert-record',
        input: { object: 'Contact', key: 'Email', values: { Email: 'Email', Name: 'Name', JobTitle: 'JobTitle' } },
      },
    ]);

  it('creates the record when none has the key value', async () => {
    const outcome = succeeded(await run(upsert(), { Email: 'ada@example.com', Name: 'Ada' }));

    const created = repository.created('Contact');
    expect(created.map((record) => record.data)).toEqual([{ Email: 'ada@example.com', Name: 'Ada' }]);
    expect(output(outcome, 'contact')).toEqual({ object: 'Contact', recordId: created[0].id, action: 'created' });
    expect(outcome.recordIds).toEqual([created[0].id]);
  });

  it('updates the record whose key matches case-insensitively on a later webhook, and never creates two', async () => {
    const first = succeeded(await run(upsert(), { Email: 'ada@example.com', Name: 'Ada' }, { webhookId: 'webhook-1' }));
    const second = succeeded(await run(upsert(), { Email: ' ADA@Example.COM ', JobTitle: 'Countess' }, { webhookId: 'webhook-2' }));

    const created = repository.created('Contact');
    expect(created).toHaveLength(1);
    expect(second.recordIds).toEqual(first.recordIds);
    expect(output(second, 'contact')).toEqual({ object: 'Contact', recordId: first.recordIds[0], action: 'updated' });
    // Values the second webhook does not carry are kept.
    expect(created[0].data).toEqual({ Email: ' ADA@Example.COM ', Name: 'Ada', JobTitle: 'Countess' });
    expect(created[0].modifiedOn.getTime()).toBeGreaterThanOrEqual(created[0].createdOn.getTime());
    expect(repository.writes).toEqual(['insert webhook-1:test-process:contact', `update ${first.recordIds[0]}`]);
  });

  it('finds its own record when the same webhook runs again, and still reports it created (record triggers see one creation)', async () => {
    const first = succeeded(await run(upsert(), { Email: 'ada@example.com', Name: 'Ada' }));
    const again = succeeded(await run(upsert(), { Email: 'ada@example.com', Name: 'Ada' }));

    expect(again.recordIds).toEqual(first.recordIds);
    expect(repository.created('Contact')).toHaveLength(1);
    expect(output(again, 'contact')).toEqual({ object: 'Contact', recordId: first.recordIds[0], action: 'created' });
    expect(again.writes).toEqual([{ step: 'contact', object: 'Contact', recordId: first.recordIds[0], action: 'created' }]);
  });

  it('needs every required column only to create', async () => {
    const outcome = await run(upsert(), { Email: 'nobody@example.com' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Name: required column "Full name" has no value');
    expect(repository.writes).toEqual([]);
  });

  it('fails when the key has no value', async () => {
    const outcome = await run(upsert(), { Name: 'Ada' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Email: the key column has no value, so no record can be found or created');
  });

  it('fails when several records have the key value', async () => {
    repository.seed('Contact', 'bbbbbbbb-0000-4000-8000-000000000001', { Name: 'One', Email: 'dup@example.com' });
    repository.seed('Contact', 'bbbbbbbb-0000-4000-8000-000000000002', { Name: 'Two', Email: 'Dup@Example.com' });

    const outcome = await run(upsert(), { Email: 'dup@example.com', Name: 'Three' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Email: several Contact records have Email "dup@example.com"; cannot choose one');
    expect(repository.writes).toEqual([]);
  });

  it('writes onCreate values only when it creates', async () => {
    const process = compile([
      {
        id: 'contact',
        type: 'upsert-record',
        input: { object: 'Contact', key: 'Email', values: { Email: 'Email', JobTitle: 'JobTitle' }, onCreate: { Name: '$substringBefore(Email, "@")' } },
      },
    ]);

    succeeded(await run(process, { Email: 'grace@example.com' }, { webhookId: 'webhook-1' }));
    succeeded(await run(process, { Email: 'Grace@example.com', JobTitle: 'Rear admiral' }, { webhookId: 'webhook-2' }));

    expect(repository.created('Contact').map((record) => record.data)).toEqual([{ Email: 'Grace@example.com', Name: 'grace', JobTitle: 'Rear admiral' }]);
  });

  it('plans an update in a dry run and writes nothing', async () => {
    const first = succeeded(await run(upsert(), { Email: 'ada@example.com', Name: 'Ada' }));
    repository.writes.length = 0;

    const dry = succeeded(await run(upsert(), { Email: 'ADA@example.com', JobTitle: 'Countess' }, { webhookId: 'webhook-2', dryRun: true }));

    expect(dry.plannedWrites).toEqual([
      { step: 'contact', action: 'update', object: 'Contact', recordId: first.recordIds[0], values: { Email: 'ADA@example.com', JobTitle: 'Countess' } },
    ]);
    expect(dry.recordIds).toEqual([]);
    expect(repository.writes).toEqual([]);
    expect(repository.created('Contact')[0].data).toEqual({ Email: 'ada@example.com', Name: 'Ada' });
  });
});

describe('fail', () => {
  it('fails the run with PROCESS_FAILED and the message of its expression; later steps do not run', async () => {
    const process = compile([
      { id: 'before', type: 'set-variable', input: { name: 'x', value: 1 } },
      { id: 'reject', type: 'fail', input: { messageFrom: '"Unknown form " & form_id' } },
      { id: 'after', type: 'set-variable', input: { name: 'y', value: 2 } },
    ]);

    const outcome = await run(process, { form_id: 'lT4Z3j' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(AppError);
    expect(outcome.error?.code).toBe(ErrorCode.ProcessFailed);
    expect(outcome.error?.message).toBe('Unknown form lT4Z3j');
    expect(outcome.trace.map(({ step, status }) => [step, status])).toEqual([
      ['before', 'ok'],
      ['reject', 'failed'],
    ]);
    expect(outcome.trace[1].error).toBe('Unknown form lT4Z3j');
  });

  it('fails with a constant message', async () => {
    const outcome = await run(compile([{ id: 'reject', type: 'fail', input: { message: 'Test webhooks are not processed' } }]), {});

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.ProcessFailed);
    expect(outcome.error?.message).toBe('Test webhooks are not processed');
  });

  it('says the process failed when the message expression yields nothing', async () => {
    const outcome = await run(compile([{ id: 'reject', type: 'fail', input: { messageFrom: 'reason' } }]), {});

    expect(outcome.error?.message).toBe('The process failed');
  });
});

describe('stop', () => {
  it('ends the run successfully; later steps do not run', async () => {
    const process = compile([
      { id: 'before', type: 'set-variable', input: { name: 'x', value: 1 } },
      { id: 'done', type: 'stop', input: { reason: 'nothing to do' } },
      { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: '"never"' } } },
    ]);

    const outcome = await run(process, {});

    expect(outcome.status).toBe('completed');
    expect(outcome.error).toBeNull();
    expect(steps(outcome)).toEqual(['before', 'done']);
    expect(output(outcome, 'done')).toBe('nothing to do');
    expect(repository.writes).toEqual([]);
  });

  it('ends the whole run from inside a branch', async () => {
    const process = compile([
      { id: 'check', type: 'condition', input: { if: 'test = true' }, then: [{ id: 'done', type: 'stop' }] },
      { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: '"real"' } } },
    ]);

    const test = await run(process, { test: true });
    expect(test.status).toBe('completed');
    expect(steps(test)).toEqual(['check', 'done']);
    expect(repository.created('Lead')).toEqual([]);

    const real = succeeded(await run(process, { test: false }, { webhookId: 'webhook-2' }));
    expect(steps(real)).toEqual(['check', 'lead']);
    expect(repository.created('Lead')).toHaveLength(1);
  });
});

describe('http-request', () => {
  const notify = () =>
    compile([
      {
        id: 'notify',
        type: 'http-request',
        input: {
          url: 'https://crm.example.com/leads',
          headers: { 'X-Api-Key': '"s3cret"', 'X-Source': '"hookflow"' },
          body: { email: 'email', name: 'first & " " & last', missing: 'no.such.path' },
        },
      },
      { id: 'after', type: 'map', input: { fields: { crmId: '$steps.notify.body.id', status: '$steps.notify.status' } } },
    ]);
  const PAYLOAD = { email: 'ada@example.com', first: 'Ada', last: 'Lovelace' };
  const BODY = { email: 'ada@example.com', name: 'Ada Lovelace' };

  it('posts a JSON body built from expressions, with an idempotency key, and outputs the response', async () => {
    http.responses.push({ status: 201, headers: {}, body: { id: 'crm-1' } });

    const outcome = succeeded(await run(notify(), PAYLOAD));

    expect(http.requests).toEqual([
      {
        method: 'POST',
        url: 'https://crm.example.com/leads',
        headers: {
          'idempotency-key': 'webhook-1:test-process:notify',
          'x-api-key': 's3cret',
          'x-source': 'hookflow',
          'content-type': 'application/json',
        },
        body: JSON.stringify(BODY),
        timeoutMs: 5000,
      },
    ]);
    expect(output(outcome, 'after')).toEqual({ crmId: 'crm-1', status: 201 });
  });

  it('keeps secret headers out of the trace', async () => {
    http.responses.push({ status: 200, headers: {}, body: { id: 'crm-1' } });

    const outcome = succeeded(await run(notify(), PAYLOAD));

    expect(output(outcome, 'notify')).toEqual({
      request: {
        method: 'POST',
        url: 'https://crm.example.com/leads',
        headers: {
          'idempotency-key': 'webhook-1:test-process:notify',
          'x-api-key': '[redacted]',
          'x-source': 'hookflow',
          'content-type': 'application/json',
        },
        body: BODY,
      },
      response: { status: 200, body: { id: 'crm-1' } },
    });
  });

  it('sends nothing in a dry run', async () => {
    const outcome = succeeded(await run(notify(), PAYLOAD, { dryRun: true }));

    expect(http.requests).toEqual([]);
    expect(output(outcome, 'notify')).toMatchObject({ dryRun: 'not sent', request: { url: 'https://crm.example.com/leads', body: BODY } });
    expect(output(outcome, 'notify')).not.toHaveProperty('response');
    expect(output(outcome, 'after')).toEqual({ status: null });
  });

  it('fails the run with HTTP_REJECTED for a 4xx answer', async () => {
    http.responses.push({ status: 422, headers: {}, body: { error: 'bad email' } });

    const outcome = await run(notify(), PAYLOAD);

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.HttpRejected);
    expect(outcome.error?.message).toBe('POST https://crm.example.com/leads answered 422: {"error":"bad email"}');
    expect(steps(outcome)).toEqual(['notify']);
  });

  it('rejects the run with TRANSIENT for a 5xx answer, so the job is retried', async () => {
    http.responses.push({ status: 503, headers: {}, body: 'down for maintenance' });

    const failure = await run(notify(), PAYLOAD).then(
      () => null,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe(ErrorCode.Transient);
    expect((failure as AppError).message).toBe('POST https://crm.example.com/leads answered 503');
  });
});

describe('http-request with secrets', () => {
  const withHeader = (header: unknown) =>
    compiler.compile({
      id: 'test-process',
      name: 'Test process',
      version: 1,
      activeByDefault: false,
      trigger: { type: 'webhook' },
      steps: [{ id: 'notify', type: 'http-request', input: { url: 'https://crm.example.com/leads', headers: { Authorization: header } } }],
    });

  it('sends a tenant secret in a header and keeps it out of the trace', async () => {
    http.responses.push({ status: 200, headers: {}, body: {} });
    const compiled = withHeader({ secret: 'crm-token', prefix: 'Bearer ' });
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('; '));

    const outcome = succeeded(await run(compiled.process, {}));

    expect(http.requests[0].headers.authorization).toBe('Bearer tok-123');
    expect(JSON.stringify(outcome)).not.toContain('tok-123');
  });

  it('fails the run, naming the secret, when the tenant has no secret of that name', async () => {
    const compiled = withHeader({ secret: 'nope' });
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('; '));

    const outcome = await run(compiled.process, {});

    expect(outcome.error?.code).toBe(ErrorCode.HttpRejected);
    expect(outcome.error?.message).toBe('header authorization: the tenant has no secret named "nope"');
    expect(http.requests).toEqual([]);
  });

  it('fails the run, without a retry, when a reference the operator no longer allows reaches a run', async () => {
    const compiled = withHeader({ env: 'HOOKFLOW_PROCESS_TOKEN' });
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('; '));
    const strict = new SecretReferences(tenantSecrets, { processEnvPrefix: 'OTHER_PREFIX_' } as AppConfig);
    const input = compiled.process.steps[0].input as { secretHeaders: Map<string, unknown> };

    const resolved = await strict.resolve(TENANT, input.secretHeaders.get('authorization') as { env: string });

    expect(resolved).toEqual({ ok: false, problem: expect.stringContaining('only environment variables whose name starts with OTHER_PREFIX_') });
  });

  it('refuses a variable outside PROCESS_ENV_PREFIX with the same words whether it exists or not', () => {
    process.env.HOOKFLOW_TEST_SET = 'x';
    const existing = withHeader({ env: 'HOOKFLOW_TEST_SET' });
    const missing = withHeader({ env: 'NO_SUCH_VARIABLE_AT_ALL' });
    delete process.env.HOOKFLOW_TEST_SET;

    expect(existing.ok).toBe(false);
    expect(missing.ok).toBe(false);
    const problems = [existing, missing].map((result) => (result.ok ? '' : result.problems.map(formatProblem).join('; ')));
    expect(problems[0]).toBe(
      '/steps/0/input/headers/Authorization: only environment variables whose name starts with HOOKFLOW_PROCESS_ can be referenced (PROCESS_ENV_PREFIX); or store the value as a tenant secret and use {"secret": "<name>"}',
    );
    expect(problems[1]).toBe(problems[0]);
  });
});

describe('the shipped example processes with their samples', () => {
  const processesDir = new URL('../../../processes/', import.meta.url);
  const read = (path: string) => JSON.parse(readFileSync(fileURLToPath(new URL(path, processesDir)), 'utf8'));
  const shipped = (id: string) => {
    const result = compiler.compile(read(`${id}.json`), id);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    return result.process;
  };

  it('landing-page-lead renames the form fields to a Lead and finds the country by name', async () => {
    const outcome = succeeded(await run(shipped('landing-page-lead'), read('samples/landing-page-lead.json')));

    expect(steps(outcome)).toEqual(['trigger', 'lead']);
    expect(repository.created('Lead').map((record) => record.data)).toEqual([
      {
        Contact: 'Grace Hopper',
        Email: 'grace@example.com',
        MobilePhone: '+1 202 555 0142',
        Account: 'Navy',
        CountryId: UNITED_STATES_ID,
        Website: 'https://example.com/spring-offer',
        Notes: 'Please call me back',
      },
    ]);
  });

  it('landing-page-lead skips a webhook without an email or a phone', async () => {
    const outcome = await run(shipped('landing-page-lead'), { name: 'Anonymous' });

    expect(outcome.status).toBe('skipped');
  });

  it('upsert-contact-by-email creates a Contact named after the e-mail address, then updates it', async () => {
    const process = shipped('upsert-contact-by-email');
    const first = succeeded(await run(process, read('samples/upsert-contact-by-email.json'), { webhookId: 'webhook-1' }));
    expect(repository.created('Contact').map((record) => record.data)).toEqual([
      { Email: 'ada@example.com', Name: 'Ada', JobTitle: 'Countess of Lovelace', CountryId: UNITED_KINGDOM_ID },
    ]);

    const second = succeeded(await run(process, { Email: 'ADA@example.com', Name: 'Ada Lovelace' }, { webhookId: 'webhook-2' }));
    expect(second.recordIds).toEqual(first.recordIds);
    expect(repository.created('Contact').map((record) => record.data)).toEqual([
      { Email: 'ada@example.com', Name: 'Ada Lovelace', JobTitle: 'Countess of Lovelace', CountryId: UNITED_KINGDOM_ID },
    ]);
  });
});
