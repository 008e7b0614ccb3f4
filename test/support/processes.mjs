// Plain JavaScript: the bench (plain Node, no TypeScript transform) starts the service with it too.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * The built service (`npm start`) as its own OS process, so a test can SIGKILL it.
 * With `keepStderr`, the last 4,000 characters it wrote to stderr are kept (`stderr()`), for the
 * error of a caller whose service did not come up; otherwise stderr is discarded.
 */
export function startServiceProcess(env, { keepStderr = false } = {}) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', keepStderr ? 'pipe' : 'ignore'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    exited,
    stderr: () => stderr,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Polls until the check answers true, or fails with the message after the timeout. A message
 * given as a function is built at that moment, so it can tell what has happened meanwhile.
 */
export async function until(check, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(typeof message === 'function' ? message() : message);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
