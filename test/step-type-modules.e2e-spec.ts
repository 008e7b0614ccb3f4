import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../src/common/app-error.js';
import { ConfigError } from '../src/config/config.js';
import { ProcessInstancesRepository } from '../src/engine/process-instances.repository.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { runCli } from './support/cli.mjs';
import { startServiceProcess } from './support/processes.mjs';

const FIXTURES = fileURLToPath(new URL('./fixtures/step-types/', import.meta.url));
/** As an operator writes it: a path relative to the working directory (the repository, under jest). */
const GREETING = `./${relative(process.cwd(), join(FIXTURES, 'greeting.mjs'))}`;
const FAILING = join(FIXTURES, 'failing.mjs');

/** A base definition (of PROCESSES_DIR) that uses the external step type, then writes what it made. */
const greetLead = {
  id: 'greet-lead',
  name: 'Greet, then a Lead',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    { id: 'greeting', type: 'fixture-greeting', input: { name: 'Contact' } },
    { id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: '$steps.greeting', Email: 'Email' } } },
  ],
};

/** A tenant's own process whose one step throws an error of the code (the first `times` attempts). */
const throwing = (id: string, code: string, times?: number) => ({
  id,
  name: `Throws ${code}`,
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [{ id: 'throw', type: 'fixture-throw', input: { code, ...(times ? { times } : {}) } }],
});

function processesDir(definitions: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-processes-'));
  for (const definition of definitions) writeFileSync(join(dir, `${(definition as { id: string }).id}.json`), JSON.stringify(definition));
  return dir;
}

describe.each(databaseKinds())('step types of STEP_TYPE_MODULES (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let dir: string;

  beforeAll(async () => {
    database = await createDatabase(kind);
    dir = processesDir([greetLead]);
    hookflow = await startTestService(database, { STEP_TYPE_MODULES: `${GREETING},${FAILING}`, PROCESSES_DIR: dir });
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a base definition that uses an external step type: the webhook gets what the type made', async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const logged = await hookflow.deliver(tenantId, apiKey, { Contact: 'Ada', Email: 'ada@example.com' });
    expect(logged).toMatchObject({ status: 'processed', reason: null });
    const [lead] = await hookflow.records(tenantId, 'Lead');
    expect(lead).toMatchObject({ Contact: 'Hello, Ada!', Email: 'ada@example.com' });
    const [run] = await hookflow.get(ProcessInstancesRepository).listByWebhook(tenantId, logged.id);
    expect(run.trace).toContainEqual(expect.objectContaining({ step: 'greeting', type: 'fixture-greeting', status: 'ok', output: 'Hello, Ada!' }));
  });

  it("keeps a webhook the external step type refuses (an error it returns) as received, with the type's reason", async () => {
    const { tenantId, apiKey } = await hookflow.newTenant();
    const logged = await hookflow.deliver(tenantId, apiKey, { Email: 'nobody@example.com' });
    expect(logged).toMatchObject({ status: 'received', reason: 'name: a text is needed to greet', recordIds: [] });
  });

  it("checks a tenant's definition against the external step type's input schema", async () => {
    const { tenantId } = await hookflow.newTenant();
    const custom = { ...greetLead, id: 'greet-custom', steps: [{ id: 'greeting', type: 'fixture-greeting', input: { nom: 'Contact' } }] };
    await expect(hookflow.get(ProcessesService).create(tenantId, custom)).rejects.toMatchObject({
      code: ErrorCode.InvalidDefinition,
      details: {
        problems: [
          { path: '/steps/0/input', message: "must have required property 'name'" },
          { path: '/steps/0/input', message: 'unknown property "nom"' },
        ],
      },
    });
  });

  describe('what an error a step throws does to the webhook (one rule: ERROR_CODES)', () => {
    /** A tenant whose only process is `definition`. */
    async function tenantRunning(definition: object) {
      const { tenantId, apiKey } = await hookflow.newTenant();
      const processes = hookflow.get(ProcessesService);
      await processes.setActive(tenantId, greetLead.id, false);
      await processes.create(tenantId, definition);
      return { tenantId, apiKey };
    }

    it('NOT_FOUND, a problem of the data: not retried, the webhook kept as received with the reason', async () => {
      const { tenantId, apiKey } = await tenantRunning(throwing('throws-not-found', ErrorCode.NotFound));
      const logged = await hookflow.deliver(tenantId, apiKey, { Country: 'Atlantis' });
      expect(logged).toMatchObject({ status: 'received', reason: 'NOT_FOUND on attempt 1' });
      const [run] = await hookflow.get(ProcessInstancesRepository).listByWebhook(tenantId, logged.id);
      expect(run).toMatchObject({ status: 'failed', errorCode: ErrorCode.NotFound });
    });

    it('QUEUE_UNAVAILABLE, trouble that may pass: retried, and processed once the step succeeds', async () => {
      const { tenantId, apiKey } = await tenantRunning(throwing('throws-queue-unavailable', ErrorCode.QueueUnavailable, 1));
      const logged = await hookflow.deliver(tenantId, apiKey, { Contact: 'Grace' });
      expect(logged).toMatchObject({ status: 'processed', reason: null });
      const [run] = await hookflow.get(ProcessInstancesRepository).listByWebhook(tenantId, logged.id);
      expect(run.trace).toEqual([expect.objectContaining({ step: 'throw', status: 'ok', output: { attempt: 2 } })]);
    });

    it('INTERNAL, a fault of the service: not retried, the webhook failed (worth a replay once mended)', async () => {
      const { tenantId, apiKey } = await tenantRunning(throwing('throws-internal', ErrorCode.Internal));
      const logged = await hookflow.deliver(tenantId, apiKey, { Contact: 'Grace' });
      expect(logged).toMatchObject({ status: 'failed', reason: 'INTERNAL on attempt 1' });
    });
  });
});

describe('a start that STEP_TYPE_MODULES stops', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
  });

  afterAll(async () => {
    await database?.drop();
  });

  const refusal = async (env: Record<string, string>): Promise<ConfigError> => {
    const error = await startTestService(database, env).then(
      async (started) => {
        await started.close();
        return null;
      },
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  };

  it('names both modules when a step type name is taken twice', async () => {
    const duplicate = join(FIXTURES, 'duplicate.mjs');
    expect((await refusal({ STEP_TYPE_MODULES: `${GREETING},${duplicate}` })).message).toBe(
      `STEP_TYPE_MODULES: "${duplicate}" registers the step type "fixture-greeting", which is registered by "${GREETING}" already`,
    );
  });

  it('names a module that is not there', async () => {
    const missing = './test/fixtures/step-types/no-such-module.mjs';
    expect((await refusal({ STEP_TYPE_MODULES: missing })).message).toBe(
      `STEP_TYPE_MODULES: "${missing}" cannot be loaded: there is no file ${join(FIXTURES, 'no-such-module.mjs')}`,
    );
  });

  it('names a module that exports no step type', async () => {
    const empty = join(FIXTURES, 'no-step-types.mjs');
    expect((await refusal({ STEP_TYPE_MODULES: empty })).message).toBe(
      `STEP_TYPE_MODULES: "${empty}" exports no step type: NoStepTypes.stepTypes lists none (export default a NestJS module class whose static stepTypes lists its step type providers)`,
    );
  });

  it('refuses a base definition naming a step type no module registers', async () => {
    const dir = processesDir([greetLead]);
    try {
      const error = await startTestService(database, { PROCESSES_DIR: dir }).then(
        async (started) => started.close(),
        (thrown: unknown) => thrown as Error,
      );
      expect(error).toMatchObject({ name: 'DefinitionFileError', message: expect.stringContaining('/steps/0/type: unknown step type "fixture-greeting"') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the built service and the command line (dist)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-step-types-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'hookflow.sqlite')}` };
  const definition = join(dir, 'greet.json');
  writeFileSync(definition, JSON.stringify({ ...greetLead, id: 'greet', steps: [greetLead.steps[0]] }));
  writeFileSync(join(dir, 'payload.json'), JSON.stringify({ Contact: 'Ada' }));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('process validate and process test load the module: its step type checks and runs', async () => {
    const validated = await runCli(['process', 'validate', definition], { ...env, STEP_TYPE_MODULES: GREETING });
    expect(validated).toMatchObject({ code: 0, stdout: `ok  ${definition}\n`, stderr: '' });
    const tested = await runCli(['process', 'test', definition, '--payload', join(dir, 'payload.json'), '--json'], { ...env, STEP_TYPE_MODULES: GREETING });
    expect(tested.code).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ status: 'completed', trace: [{ step: 'greeting', output: 'Hello, Ada!' }] });
  });

  it('process validate without the module names the unknown step type', async () => {
    const validated = await runCli(['process', 'validate', definition], env);
    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain('/steps/0/type: unknown step type "fixture-greeting"');
  });

  it('npm start with a module that is not there exits 1 with one line naming it', async () => {
    const service = startServiceProcess(
      { ...env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', PORT: '0', STEP_TYPE_MODULES: './no-such-steps.mjs' },
      { keepStderr: true },
    );
    expect(await service.exited).toBe(1);
    expect(service.stderr().trim().split('\n')).toEqual([
      `hookflow: configuration error: STEP_TYPE_MODULES: "./no-such-steps.mjs" cannot be loaded: there is no file ${join(process.cwd(), 'no-such-steps.mjs')}`,
    ]);
  });
});
