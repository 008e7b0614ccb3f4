import { beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CatalogueService } from '../catalogue/catalogue.service.js';
import { CANADA_ID } from '../catalogue/default-catalogue.js';
import type { RecordsRepository } from '../catalogue/records.repository.js';
import { RecordsService } from '../catalogue/records.service.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { DefinitionCompiler, formatProblem } from './definition-compiler.js';
import type { CompiledProcess } from './compiled-process.js';
import { ProcessRunner } from './process-runner.js';
import { StepRegistry } from './step-registry.js';
import type { StepType } from './step-type.js';
import { CreateRecordStep } from './steps/create-record.step.js';
import { MapParametersStep } from './steps/map-parameters.step.js';
import { ResolveObjectStep } from './steps/resolve-object.step.js';
import { FakeCatalogue, FakeRecordsRepository, TENANT } from '../../test/support/in-memory-catalogue.js';

const PROCESS_ID = 'create-object-records-from-webhook';
const UNITED_STATES_ID = '86251e9b-5de1-4ec5-9f71-fda3effcdf12';

const REFERENCE_PAYLOAD = {
  Contact: 'New user',
  Email: 'new_user@gmail.com',
  MobilePhone: '+1 617 221 5187',
  CountryId: 'f8af0e88-f36b-1410-fa98-00155d043204',
  EntityName: 'Lead',
};
const REFERENCE_VALUES = {
  Contact: 'New user',
  Email: 'new_user@gmail.com',
  MobilePhone: '+1 617 221 5187',
  CountryId: CANADA_ID,
};

const definition = JSON.parse(readFileSync(fileURLToPath(new URL(`../../processes/${PROCESS_ID}.json`, import.meta.url)), 'utf8'));

describe('the default process (create-object-records-from-webhook)', () => {
  let repository: FakeRecordsRepository;
  let defaultProcess: CompiledProcess;
  const runner = new ProcessRunner();

  beforeEach(() => {
    repository = new FakeRecordsRepository();
    const catalogue = new FakeCatalogue() as unknown as CatalogueService;
    const records = new RecordsService(repository as unknown as RecordsRepository, catalogue);
    const registry = new StepRegistry([new ResolveObjectStep(catalogue), new MapParametersStep(), new CreateRecordStep(catalogue, records)] as StepType<
      never,
      unknown
    >[]);
    const compiled = new DefinitionCompiler(registry).compile(definition, PROCESS_ID);
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
    defaultProcess = compiled.process;
  });

  function run(payload: Record<string, unknown>, options: { webhookId?: string; dryRun?: boolean } = {}) {
    const webhookId = options.webhookId ?? 'webhook-1';
    return runner.run(defaultProcess, {
      tenantId: TENANT,
      webhookId,
      payload,
      webhook: { id: webhookId, apiKeyId: 'key-1', apiKeyName: 'Website', receivedAt: '2024-05-17T09:30:00.000Z' },
      dryRun: options.dryRun,
    });
  }

  it('creates a Lead of exactly the four values of the reference payload', async () => {
    const outcome = await run(REFERENCE_PAYLOAD);

    expect(outcome.status).toBe('completed');
    expect(outcome.error).toBeNull();
    const created = repository.created();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ tenantId: TENANT, objectName: 'Lead', sourceKey: `webhook-1:${PROCESS_ID}:record` });
    expect(created[0].data).toEqual(REFERENCE_VALUES);
    expect(outcome.recordIds).toEqual([created[0].id]);
    expect(outcome.plannedWrites).toEqual([]);
  });

  it('traces the three steps object, fields and record', async () => {
    const outcome = await run(REFERENCE_PAYLOAD);

    expect(outcome.trace.map(({ step, type, status }) => [step, type, status])).toEqual([
      ['object', 'resolve-object', 'ok'],
      ['fields', 'map-parameters', 'ok'],
      ['record', 'create-record', 'ok'],
    ]);
    expect(outcome.trace.map((entry) => entry.output)).toEqual([
      { object: 'Lead' },
      { mapped: ['Contact', 'Email', 'MobilePhone', 'CountryId'], lookupsByName: [], ignored: [], systemColumnsIgnored: [] },
      { object: 'Lead', recordId: outcome.recordIds[0] },
    ]);
    for (const entry of outcome.trace) {
      expect(entry.error).toBeUndefined();
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('lists unknown parameters as ignored and system columns as systemColumnsIgnored, writing neither', async () => {
    const outcome = await run({
      ...REFERENCE_PAYLOAD,
      Id: '11111111-1111-4111-8111-111111111111',
      CreatedOn: '2020-01-01T00:00:00Z',
      utm_source: 'newsletter',
      Nickname: 'Newbie',
    });

    expect(outcome.status).toBe('completed');
    expect(outcome.trace.find((entry) => entry.step === 'fields')?.output).toEqual({
      mapped: ['Contact', 'Email', 'MobilePhone', 'CountryId'],
      lookupsByName: [],
      ignored: ['utm_source', 'Nickname'],
      systemColumnsIgnored: ['Id', 'CreatedOn'],
    });
    const [created] = repository.created();
    expect(created.data).toEqual(REFERENCE_VALUES);
    expect(created.id).not.toBe('11111111-1111-4111-8111-111111111111');
    expect(created.createdOn.toISOString()).not.toBe('2020-01-01T00:00:00.000Z');
  });

  it('resolves a lookup by name: Country " canada " becomes CountryId of Canada', async () => {
    const { CountryId: _countryId, ...payload } = REFERENCE_PAYLOAD;
    const outcome = await run({ ...payload, Country: ' canada ' });

    expect(outcome.status).toBe('completed');
    expect(outcome.trace[1].output).toEqual({
      mapped: ['Contact', 'Email', 'MobilePhone'],
      lookupsByName: ['Country'],
      ignored: [],
      systemColumnsIgnored: [],
    });
    expect(repository.created()[0].data).toEqual(REFERENCE_VALUES);
  });

  it('lets an explicit CountryId win over Country', async () => {
    const outcome = await run({ ...REFERENCE_PAYLOAD, CountryId: UNITED_STATES_ID, Country: 'Canada' });

    expect(outcome.status).toBe('completed');
    expect(repository.created()[0].data).toEqual({ ...REFERENCE_VALUES, CountryId: UNITED_STATES_ID });
  });

  it('fails for an unknown country name, naming the value', async () => {
    const { CountryId: _countryId, ...payload } = REFERENCE_PAYLOAD;
    const outcome = await run({ ...payload, Country: 'Atlantis' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(AppError);
    expect(outcome.error?.code).toBe(ErrorCode.Unmappable);
    expect(outcome.error?.message).toBe('Country: no Country record has Name "Atlantis"');
    expect(outcome.trace.map(({ step, status }) => [step, status])).toEqual([
      ['object', 'ok'],
      ['fields', 'ok'],
      ['record', 'failed'],
    ]);
    expect(outcome.trace[2].error).toBe(outcome.error?.message);
    expect(outcome.recordIds).toEqual([]);
    expect(repository.created()).toEqual([]);
  });

  it('reports every problem of the values together, joined by "; "', async () => {
    const { CountryId: _countryId, ...payload } = REFERENCE_PAYLOAD;
    const outcome = await run({ ...payload, Budget: '12 EUR', Country: 'Atlantis' });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('Budget: "12 EUR" is not a number; Country: no Country record has Name "Atlantis"');
    expect(repository.writes).toEqual([]);
  });

  it('reports required columns, conversions and unknown lookup ids of a Contact together', async () => {
    const outcome = await run({
      EntityName: 'Contact',
      BirthDate: '2023-02-30',
      Age: 'thirty-six',
      CountryId: '00000000-0000-4000-8000-000000000000',
    });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe(
      [
        'BirthDate: "2023-02-30" is not a valid date',
        'Age: "thirty-six" is not a whole number',
        'Name: required column "Full name" has no value',
        'CountryId: no Country record has Id 00000000-0000-4000-8000-000000000000',
      ].join('; '),
    );
  });

  it.each<[string, Record<string, unknown>, string[], string]>([
    [
      'an object outside the Webhook entities lookup',
      { ...REFERENCE_PAYLOAD, EntityName: 'Country' },
      ['object'],
      `Object "Country" is not in this tenant's Webhook entities lookup`,
    ],
    ['a missing EntityName', { Contact: 'New user' }, ['object'], 'Parameter "EntityName" is missing: it must name the object to create, e.g. "Lead"'],
    ['an unconvertible value', { ...REFERENCE_PAYLOAD, Budget: '12 EUR' }, ['object', 'fields', 'record'], 'Budget: "12 EUR" is not a number'],
  ])('stops at the failing step for %s', async (_label, payload, steps, message) => {
    const outcome = await run(payload);

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe(ErrorCode.Unmappable);
    expect(outcome.error?.message).toBe(message);
    expect(outcome.trace.map((entry) => entry.step)).toEqual(steps);
    expect(outcome.trace.at(-1)).toMatchObject({ status: 'failed', error: message });
    expect(repository.created()).toEqual([]);
  });

  it('creates one record however often the same webhook is run', async () => {
    const first = await run(REFERENCE_PAYLOAD, { webhookId: 'webhook-42' });
    const second = await run(REFERENCE_PAYLOAD, { webhookId: 'webhook-42' });

    expect(first.status).toBe('completed');
    expect(second.status).toBe('completed');
    expect(first.recordIds).toHaveLength(1);
    expect(second.recordIds).toEqual(first.recordIds);
    expect(repository.created()).toHaveLength(1);
  });

  it('creates a second record for a second webhook with the same payload', async () => {
    const first = await run(REFERENCE_PAYLOAD, { webhookId: 'webhook-1' });
    const second = await run(REFERENCE_PAYLOAD, { webhookId: 'webhook-2' });

    expect(second.recordIds).toHaveLength(1);
    expect(second.recordIds).not.toEqual(first.recordIds);
    expect(repository.created()).toHaveLength(2);
  });

  it('writes nothing in a dry run and lists the planned create', async () => {
    const { CountryId: _countryId, ...payload } = REFERENCE_PAYLOAD;
    const outcome = await run({ ...payload, Country: 'Canada' }, { dryRun: true });

    expect(outcome.status).toBe('completed');
    expect(outcome.recordIds).toEqual([]);
    expect(outcome.plannedWrites).toEqual([{ step: 'record', action: 'create', object: 'Lead', recordId: null, values: REFERENCE_VALUES }]);
    expect(outcome.trace[2].output).toEqual({ object: 'Lead', values: REFERENCE_VALUES, dryRun: true });
    expect(repository.writes).toEqual([]);
    expect(repository.created()).toEqual([]);
  });

  it('turns a repository that rejects into a TRANSIENT AppError', async () => {
    repository.failWith = new Error('db down');

    const failure = await run(REFERENCE_PAYLOAD).then(
      () => null,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe(ErrorCode.Transient);
    expect((failure as AppError).retryable).toBe(true);
    expect((failure as AppError).message).toBe('Step "record" failed: db down');
    expect(repository.writes).toEqual([`insert webhook-1:${PROCESS_ID}:record`]);
    expect(repository.created()).toEqual([]);
  });
});
