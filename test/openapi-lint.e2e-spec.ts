import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

// The tools run offline: no usage report, no look-up of a newer version.
const OFFLINE_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', DO_NOT_TRACK: '1', NO_COLOR: '1' };

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

/**
 * A program that uses the types generated from the document: the list of processes of a tenant,
 * its path parameter, its answer and the code of its error answers. It fails to compile when the
 * document loses any of them.
 */
const CLIENT_USAGE = `
import type { components, paths } from './hookflow-api.js';

type ListProcesses = paths['/api/tenants/{tenantId}/processes']['get'];
type ProcessList = ListProcesses['responses'][200]['content']['application/json'];
type ErrorAnswer = ListProcesses['responses'][404]['content']['application/json'];

export const pathParameters: ListProcesses['parameters']['path'] = { tenantId: '7c1b0a9e-0000-4000-8000-000000000000' };
export function firstId(list: ProcessList): string | undefined {
  return list[0]?.id;
}
export function isNotFound(answer: ErrorAnswer): boolean {
  const code: components['schemas']['Error']['code'] = answer.code;
  return code === 'NOT_FOUND' && answer.statusCode === 404;
}
`;

describe('the OpenAPI document', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let dir: string;
  let documentPath: string;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database, { ROLE: 'api' });
    const response = await apiRequest(hookflow.url, 'GET', '/docs-json');
    expect(response.status).toBe(200);
    dir = mkdtempSync(join(tmpdir(), 'hookflow-openapi-'));
    documentPath = join(dir, 'openapi.json');
    writeFileSync(documentPath, response.text);
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("passes Redocly's recommended rules without an error or a warning", async () => {
    // The ignore file applies next to the configuration, to the paths it names: both go beside the document.
    for (const file of ['redocly.yaml', '.redocly.lint-ignore.yaml']) copyFileSync(join(ROOT, file), join(dir, file));
    const args = ['lint', documentPath, '--format=json', `--config=${join(dir, 'redocly.yaml')}`];
    // redocly exits with 1 when it finds errors; its report is on stdout either way.
    const { stdout } = await run(bin('redocly'), args, { env: OFFLINE_ENV, cwd: dir }).catch((error: { stdout?: string }) => ({
      stdout: error.stdout ?? '',
    }));
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: LintProblem[] };
    const problems = report.problems.map((problem) => `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('generates TypeScript types that a client compiles against', async () => {
    await run(bin('openapi-typescript'), [documentPath, '--output', join(dir, 'hookflow-api.d.ts')], { env: OFFLINE_ENV, cwd: dir });
    writeFileSync(join(dir, 'client.ts'), CLIENT_USAGE);
    const compilerOptions = { noEmit: true, strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['client.ts'] }));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  });
});
