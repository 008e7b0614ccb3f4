import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './support/cli.mjs';

describe('hookflow process validate processes/*.json', () => {
  const processes = fileURLToPath(new URL('../processes', import.meta.url));
  // What a shell makes of processes/*.json: every file, the shipped JSON Schema included.
  const everyFile = readdirSync(processes)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => join(processes, file));
  const schema = join(processes, 'process.schema.json');
  const env = { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'hookflow-cli-')), 'never-created.sqlite')}` };

  it('skips the JSON Schema with a note and checks the definitions', async () => {
    expect(everyFile).toContain(schema);
    const result = await runCli(['process', 'validate', ...everyFile], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual(everyFile.map((file) => (file === schema ? `skip ${file} (a JSON Schema document, not a process definition)` : `ok  ${file}`)));
  });

  it('reports the skipped schema in --json output as valid and skipped', async () => {
    const result = await runCli(['process', 'validate', ...everyFile, '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Array<{ file: string; valid: boolean; problems: string[]; skipped?: string }>;
    expect(report.find((entry) => entry.file === schema)).toEqual({
      file: schema,
      valid: true,
      problems: [],
      skipped: 'a JSON Schema document, not a process definition',
    });
    expect(report.filter((entry) => entry.file !== schema).every((entry) => entry.valid && !('skipped' in entry))).toBe(true);
    expect(existsSync(env.DATABASE_URL.slice('sqlite:'.length))).toBe(false);
  });

  it('still checks a file with a json-schema.org $schema that has steps: it is meant as a definition', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hookflow-defs-')), 'odd.json');
    writeFileSync(file, JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', id: 'odd', steps: [] }));
    const result = await runCli(['process', 'validate', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('odd.json');
    expect(result.stdout).not.toContain('skip');
  });
});
