// Plain JavaScript: the bench (plain Node, no TypeScript transform) sets up its tenants with it too.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/hookflow.js', import.meta.url));

/** Runs the built `hookflow` command as an operator would, with the given environment (and standard input). */
export function runCli(args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a `--json` command that must succeed and answers its parsed output. */
export async function cliJson(args, env, input) {
  const result = await runCli([...args, '--json'], env, input);
  if (result.code !== 0) throw new Error(`hookflow ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}
