// What every command group shares: services, the common options, parsing of option values, output and errors.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { AppError } from '../common/app-error.js';
import { ConfigError } from '../config/config.js';
import { DefinitionFileError } from '../engine/base-definitions.js';

/** A service of the command line's Nest context; the context starts on the first call. */
export type Get = <T>(type: new (...args: never[]) => T) => Promise<T>;

export interface CliServices {
  /** Services on DATABASE_URL. */
  get: Get;
  /** Services on DATABASE_URL and the webhooks queue on REDIS_URL, for commands that queue jobs. */
  queued: Get;
  /** Services on a private in-memory database, for commands that need no stored data, so they leave nothing behind. */
  scratch: Get;
}

/** Adds one group of commands (`hookflow tenant …`) to the program. */
export type CommandGroup = (program: CliCommand, services: CliServices) => void;

export interface JsonOptions {
  json?: boolean;
}

export interface TenantOptions extends JsonOptions {
  tenant: string;
}

/** A commander command whose subcommands can declare the options nearly all of them take in one call each. */
export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  /** `--tenant <tenantId>`, required: the tenant the command acts on. */
  tenantOption(): this {
    return this.requiredOption('--tenant <tenantId>', 'tenant id');
  }

  /** `--json`: output for programs instead of people. */
  jsonOption(): this {
    return this.option('--json', 'machine-readable output');
  }
}

/** The exit code of a failed command, after telling the operator why on stderr. */
export function reportFailure(error: unknown): number {
  // Commander has printed its usage errors (and help) itself.
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof AppError || error instanceof ConfigError || error instanceof DefinitionFileError) {
    process.stderr.write(`hookflow: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`hookflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

export function wholeNumber(raw: string, option: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new ConfigError(`${option}: "${raw}" must be a whole number from 1 to 10000`);
  }
  return value;
}

/** --rate-limit: a whole number from `min`, or "default" (null: the limit one level up). */
export function rateLimit(raw: string, min: number): number | null {
  if (raw === 'default') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ConfigError(`--rate-limit: "${raw}" must be a whole number from ${min}, or "default"`);
  return Number(raw);
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

export function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A secret piped on standard input, so it never appears in the process list or shell history. */
export async function readStdin(what = 'the password'): Promise<string> {
  if (process.stdin.isTTY) throw new ConfigError(`pipe ${what} on standard input, e.g. printf %s "$VALUE" | hookflow …`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline (from echo or a file) is not part of the value.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One object: pretty JSON with --json, otherwise one `key: value` line per property for people. */
export function printObject(value: object, json = false): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    process.stdout.write(`${key}: ${typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item)}\n`);
  }
}

/** Rows: pretty JSON with --json, otherwise a table of `columns` (default: every key), cells cut at 60 characters. */
export function printList(rows: object[], json = false, columns?: string[]): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => keys.map((key) => cell((row as Record<string, unknown>)[key])));
  const widths = keys.map((key, i) => Math.min(60, Math.max(key.length, ...cells.map((line) => line[i].length))));
  const format = (line: string[]) =>
    line
      .map((text, i) => text.slice(0, 60).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${format(keys)}\n${cells.map(format).join('\n')}\n`);
}

/** A value as text for people: nothing for null, JSON for objects. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
