import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BpmnModdle } from 'bpmn-moddle';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessesService } from '../src/engine/processes.service.js';
import type { ProcessDefinition } from '../src/engine/definition-types.js';
import { DEFAULT_PROCESS } from './fixtures/form-builder.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { AdminApi } from './support/admin-client.js';
import { cliJson, runCli } from './support/cli.mjs';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/** A custom process with a condition: its split is an exclusive gateway named by the step's id. */
const TRIAGE: ProcessDefinition = {
  id: 'triage-leads',
  name: 'Triage leads',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [
    {
      id: 'big',
      type: 'condition',
      description: 'A company with more than 50 people?',
      input: { if: 'employees > 50' },
      then: [{ id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: 'name', Notes: "'Big company'" } } }],
      else: [{ id: 'small', type: 'stop' }],
    },
  ],
};

/** The ids of the shipped processes: the files of processes/, as BaseDefinitions.load reads them. */
const SHIPPED = readdirSync(fileURLToPath(new URL('../processes', import.meta.url)))
  .filter((file) => file.endsWith('.json') && file !== 'process.schema.json')
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

/** The definition as saved, without what a save sets (its version) or a drawing adds (positions). */
function content(definition: ProcessDefinition): Omit<ProcessDefinition, 'version' | 'diagram'> {
  const { version: _version, diagram: _diagram, ...rest } = definition;
  return rest;
}

describe.each(databaseKinds())('processes as BPMN documents (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let admin: AdminApi;
  let dir: string;

  beforeAll(async () => {
    database = await createDatabase(kind);
    hookflow = await startTestService(database, SERVICE_ENV);
    admin = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET);
    dir = mkdtempSync(join(tmpdir(), 'hookflow-bpmn-'));
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const bpmnOf = (tenantId: string, processId: string) => admin.get(`/api/tenants/${tenantId}/processes/${processId}/bpmn`);
  const putBpmn = (tenantId: string, processId: string, xml: string, contentType = 'application/xml') =>
    admin.request('PUT', `/api/tenants/${tenantId}/processes/${processId}/bpmn`, xml, { 'content-type': contentType });

  it('every shipped process exports as BPMN that plain BPMN tools read, and imports back as the same definition', async () => {
    const { tenantId } = await hookflow.newTenant();
    const processes = hookflow.get(ProcessesService);
    const shipped = await processes.list(tenantId);
    expect(shipped.map((view) => view.id).sort()).toEqual(SHIPPED);
    expect(SHIPPED).toContain(DEFAULT_PROCESS);
    for (const { id } of shipped) {
      const exported = await bpmnOf(tenantId, id);
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/^application\/xml/);
      // A BPMN tool that knows nothing of Hookflow parses it without a warning.
      const { rootElement, warnings } = await new BpmnModdle().fromXML(exported.text);
      expect(warnings).toEqual([]);
      expect((rootElement as { rootElements: Array<{ $type: string; id: string }> }).rootElements).toContainEqual(
        expect.objectContaining({ $type: 'bpmn:Process', id }),
      );

      const base = (await processes.get(tenantId, id)).definition;
      const saved = await putBpmn(tenantId, id, exported.text);
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ id, source: 'override', version: base.version + 1 });
      const overridden = (await processes.get(tenantId, id)).definition;
      expect(content(overridden)).toEqual(content(base));
      // The positions it was drawn with are kept, so the next export draws it the same way (as the new version).
      expect(Object.keys(overridden.diagram?.shapes ?? {}).length).toBeGreaterThan(0);
      const again = (await bpmnOf(tenantId, id)).text;
      expect(again).toBe(exported.text.replace(`<hookflow:process version="${base.version}"`, `<hookflow:process version="${base.version + 1}"`));
      expect(again).not.toBe(exported.text);
    }
    // Another tenant still runs the base definitions.
    const other = await hookflow.newTenant();
    expect((await processes.list(other.tenantId)).every((view) => view.source === 'base')).toBe(true);
  });

  it('a BPMN document saves a new custom process, then new versions of it; the element the engine cannot run is refused by id and name', async () => {
    const { tenantId } = await hookflow.newTenant();
    await hookflow.get(ProcessesService).create(tenantId, TRIAGE);
    const xml = (await bpmnOf(tenantId, TRIAGE.id)).text;
    await hookflow.get(ProcessesService).remove(tenantId, TRIAGE.id);

    expect((await putBpmn(tenantId, TRIAGE.id, xml)).body).toMatchObject({ id: TRIAGE.id, source: 'custom', version: 1, active: true });
    const renamed = xml.replace('name="Triage leads"', 'name="Triage leads by size"');
    expect((await putBpmn(tenantId, TRIAGE.id, renamed, 'application/bpmn+xml')).body).toMatchObject({ source: 'custom', version: 2 });
    expect((await admin.get(`/api/tenants/${tenantId}/processes/${TRIAGE.id}`)).body.definition).toMatchObject({ name: 'Triage leads by size' });

    // An inclusive gateway in place of the condition's split.
    const inclusive = xml
      .replace(/<bpmn:exclusiveGateway id="big"/, '<bpmn:inclusiveGateway id="big"')
      .replace(/<\/bpmn:exclusiveGateway>(?=[\s\S]*id="big-join")/, '</bpmn:inclusiveGateway>');
    const refused = await putBpmn(tenantId, TRIAGE.id, inclusive);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('INVALID_DEFINITION');
    expect(refused.body.details.problems).toContainEqual(expect.objectContaining({ elementId: 'big', elementName: 'A company with more than 50 people?' }));

    // What saving finds by JSON path (a step type the engine does not know) names its element too, for a designer to mark.
    const unknownType = await putBpmn(tenantId, TRIAGE.id, xml.replace('<hookflow:step type="create-record">', '<hookflow:step type="no-such-step">'));
    expect(unknownType).toMatchObject({ status: 400, body: { code: 'INVALID_DEFINITION' } });
    expect(unknownType.body.details.problems).toContainEqual(
      expect.objectContaining({ path: expect.stringMatching(/^\/steps\/0\/then\/0/), elementId: 'lead', elementName: 'lead' }),
    );
    // A step input the schema refuses: the problem has its JSON path and the element it belongs to.
    const badInput = xml.replaceAll('employees &gt; 50', 'employees &gt;');
    expect(badInput).not.toBe(xml);
    const unparsable = await putBpmn(tenantId, TRIAGE.id, badInput);
    expect(unparsable).toMatchObject({ status: 400, body: { code: 'INVALID_DEFINITION' } });
    expect(unparsable.body.details.problems).toContainEqual(
      expect.objectContaining({ path: expect.stringMatching(/^\/steps\/0\/input/), elementId: 'big', elementName: 'A company with more than 50 people?' }),
    );

    // Another process's document under this id, malformed XML, and JSON instead of XML.
    const other = await putBpmn(tenantId, DEFAULT_PROCESS, xml);
    expect(other).toMatchObject({
      status: 400,
      body: { code: 'INVALID_DEFINITION', message: expect.stringContaining(`"${TRIAGE.id}", not "${DEFAULT_PROCESS}"`) },
    });
    const malformed = await putBpmn(tenantId, TRIAGE.id, '<bpmn:definitions');
    expect(malformed).toMatchObject({ status: 400, body: { code: 'INVALID_DEFINITION' } });
    const json = await admin.put(`/api/tenants/${tenantId}/processes/${TRIAGE.id}/bpmn`, TRIAGE);
    expect(json).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect((await admin.get(`/api/tenants/${tenantId}/processes/${TRIAGE.id}`)).body.version).toBe(2);
  });

  it('an unknown process is 404; a token that may only read processes cannot save one', async () => {
    const { tenantId } = await hookflow.newTenant();
    const unknown = await bpmnOf(tenantId, 'no-such-process');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const reader = await AdminApi.login(hookflow.url, ADMIN_ID, ADMIN_SECRET, 'processes:read');
    const xml = (await reader.get(`/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/bpmn`)).text;
    const refused = await reader.request('PUT', `/api/tenants/${tenantId}/processes/${DEFAULT_PROCESS}/bpmn`, xml, { 'content-type': 'application/xml' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
  });

  it('hookflow process export --format bpmn and process import round-trip a process through a file', async () => {
    const env = { DATABASE_URL: database.url };
    const { tenantId } = await hookflow.newTenant();
    const file = join(dir, `${kind}-default.bpmn`);
    const exported = await runCli(['process', 'export', DEFAULT_PROCESS, '--tenant', tenantId, '--format', 'bpmn', '--out', file], env);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(file, 'utf8')).toMatch(/^<\?xml[\s\S]*<bpmn:process id="create-object-records-from-webhook"/);
    expect(await cliJson(['process', 'import', file, '--tenant', tenantId], env)).toMatchObject({ id: DEFAULT_PROCESS, source: 'override', version: 2 });

    const json = join(dir, `${kind}-default.json`);
    expect((await runCli(['process', 'export', DEFAULT_PROCESS, '--tenant', tenantId, '--out', json], env)).code).toBe(0);
    const definition = JSON.parse(readFileSync(json, 'utf8')) as ProcessDefinition;
    writeFileSync(json, JSON.stringify({ ...definition, name: 'Records from webhooks (ours)' }));
    expect(await cliJson(['process', 'import', json, '--tenant', tenantId], env)).toMatchObject({ source: 'override', version: 3 });
    expect((await hookflow.get(ProcessesService).get(tenantId, DEFAULT_PROCESS)).definition.name).toBe('Records from webhooks (ours)');

    const wrongFormat = await runCli(['process', 'export', DEFAULT_PROCESS, '--tenant', tenantId, '--format', 'yaml'], env);
    expect(wrongFormat.code).not.toBe(0);
    expect(wrongFormat.stderr).toContain('--format must be json or bpmn, not "yaml"');
  });

  it('every shipped process goes through a .bpmn file with the CLI from one tenant into another as the same definition', async () => {
    const env = { DATABASE_URL: database.url };
    const processes = hookflow.get(ProcessesService);
    const from = await hookflow.newTenant();
    const into = await hookflow.newTenant();
    for (const id of SHIPPED) {
      const file = join(dir, `${kind}-${id}.bpmn`);
      expect(await runCli(['process', 'export', id, '--tenant', from.tenantId, '--format', 'bpmn', '--out', file], env)).toMatchObject({ code: 0, stderr: '' });
      const { rootElement, warnings } = await new BpmnModdle().fromXML(readFileSync(file, 'utf8'));
      expect(warnings).toEqual([]);
      expect((rootElement as { rootElements: Array<{ $type: string; id: string }> }).rootElements).toContainEqual(
        expect.objectContaining({ $type: 'bpmn:Process', id }),
      );
      const base = await processes.get(from.tenantId, id);
      expect(await cliJson(['process', 'import', file, '--tenant', into.tenantId], env)).toMatchObject({ id, source: 'override', version: base.version + 1 });
      const imported = await processes.get(into.tenantId, id);
      expect(imported).toMatchObject({ active: base.active });
      expect(content(imported.definition)).toEqual(content(base.definition));
    }
    // Two runs of the command per process, about a second each.
  }, 90_000);
});
