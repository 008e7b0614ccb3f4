import type { ChildProcess } from 'node:child_process';

export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string | null>;
  /** The last 4,000 characters written to stderr; empty unless started with `keepStderr`. */
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** The built service (`npm start`) as its own OS process, so a test can SIGKILL it. */
export function startServiceProcess(env: Record<string, string>, options?: { keepStderr?: boolean }): ServiceProcess;

/** Polls until the check answers true, or fails with the message after the timeout. */
export function until(check: () => Promise<boolean>, timeoutMs: number, message: string | (() => string)): Promise<void>;
