export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `hookflow` command as an operator would, with the given environment (and standard input). */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult>;

/** Runs a `--json` command that must succeed and answers its parsed output. */
export function cliJson<T>(args: string[], env: Record<string, string>, input?: string): Promise<T>;
