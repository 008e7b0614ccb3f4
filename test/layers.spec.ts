import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The rule breaches dependency-cruiser finds in src/ of `cwd`, with the project's rules. */
async function violations(cwd: string): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('module layers (.dependency-cruiser.cjs)', () => {
  it('src/ imports only downwards, with no cycle', async () => {
    expect((await violations(ROOT)).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 60_000);

  it('names an upward import, a cycle and a folder without a layer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-layers-'));
    try {
      const files: Record<string, string> = {
        'src/engine/runner.ts': "import { queue } from '../pipeline/queue.js';\nexport const run = queue;\n",
        'src/pipeline/queue.ts': 'export const queue = 1;\n',
        'src/common/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/common/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
        'src/plugins/extra.ts': "import { queue } from '../pipeline/queue.js';\nexport const extra = queue;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
      const found = (await violations(dir)).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'layers-engine: src/engine/runner.ts -> src/pipeline/queue.ts',
          'no-circular: src/common/a.ts -> src/common/b.ts',
          'known-module: src/plugins/extra.ts -> src/pipeline/queue.ts',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
