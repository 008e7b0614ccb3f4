import { CommanderError } from 'commander';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { compileFile } from '../engine/base-definitions.js';
import { DefinitionCompiler } from '../engine/definition-compiler.js';
import { DryRunService } from '../engine/dry-run.service.js';
import { buildProcessSchema } from '../engine/process-schema.js';
import { ProcessBpmn } from '../engine/process-bpmn.service.js';
import { ProcessesService, type BaseUpgradeView } from '../engine/processes.service.js';
import { StepRegistry } from '../engine/step-registry.js';
import { WhatIfService, type WhatIfEntry } from '../engine/what-if.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import {
  type CliCommand,
  type CliServices,
  type JsonOptions,
  type TenantOptions,
  cell,
  printList,
  printObject,
  readJson,
  readText,
  wholeNumber,
} from './common.js';

/** `hookflow process …`: a tenant's business processes, and tools for definitions before they run. */
export function addProcessCommands(program: CliCommand, services: CliServices): void {
  const processCommand = program.command('process').description('business processes of a tenant');
  addViewCommands(processCommand, services);
  addOverrideCommands(processCommand, services);
  addCustomProcessCommands(processCommand, services);
  addExchangeCommands(processCommand, services);
  addValidateCommand(processCommand, services);
  addDryRunCommands(processCommand, services);
  addSchemaCommand(processCommand, services);
}

function addViewCommands(processCommand: CliCommand, { get }: CliServices): void {
  processCommand
    .command('list')
    .tenantOption()
    .jsonOption()
    .action(async (options: TenantOptions) => {
      const processes = await (await get(ProcessesService)).list(options.tenant);
      const rows = options.json ? processes : processes.map((view) => ({ ...view, note: view.baseChanged?.message ?? '' }));
      printList(rows, options.json, ['id', 'name', 'source', 'version', 'active', 'note']);
    });
  processCommand
    .command('show <processId>')
    .description('the definition that runs for the tenant, the base definition and the saved versions; after a base upgrade, old base, new base and override')
    .tenantOption()
    .jsonOption()
    .action(async (processId: string, options: TenantOptions) => {
      const { baseUpgrade, ...detail } = await (await get(ProcessesService)).get(options.tenant, processId);
      if (options.json) printObject({ ...detail, baseUpgrade }, true);
      else {
        printObject(detail);
        if (baseUpgrade) printBaseUpgrade(baseUpgrade);
      }
    });
}

/** Commands on a tenant's override of a base process. */
function addOverrideCommands(processCommand: CliCommand, { get }: CliServices): void {
  processCommand
    .command('rebase <processId>')
    .description('apply what the base changed since the override was made to the override; refused with the JSON paths both changed')
    .tenantOption()
    .jsonOption()
    .action(async (processId: string, options: TenantOptions) => {
      printObject(await (await get(ProcessesService)).rebase(options.tenant, processId), options.json);
    });
  processCommand
    .command('override <processId>')
    .description('run a modified definition of a base process for this tenant (saved as a new version)')
    .tenantOption()
    .requiredOption('--file <definition>', 'the modified definition (JSON)')
    .jsonOption()
    .action(async (processId: string, options: TenantOptions & { file: string }) => {
      printObject(await (await get(ProcessesService)).override(options.tenant, processId, readJson(options.file)), options.json);
    });
  processCommand
    .command('revert <processId>')
    .description('run the base definition again (the saved versions stay in the history)')
    .tenantOption()
    .jsonOption()
    .action(async (processId: string, options: TenantOptions) => {
      printObject(await (await get(ProcessesService)).revert(options.tenant, processId), options.json);
    });
  processCommand
    .command('rollback <processId>')
    .description('save an earlier version again as the newest')
    .tenantOption()
    .requiredOption('--to-version <n>', 'the saved version to run again')
    .jsonOption()
    .action(async (processId: string, options: TenantOptions & { toVersion: string }) => {
      const processes = await get(ProcessesService);
      printObject(await processes.rollback(options.tenant, processId, wholeNumber(options.toVersion, '--to-version')), options.json);
    });
}

/** A process to and from a file: its definition (JSON) or a BPMN 2.0 document that other BPMN tools open. */
function addExchangeCommands(processCommand: CliCommand, { get }: CliServices): void {
  processCommand
    .command('export <processId>')
    .description('the definition that runs for the tenant, as JSON or as a BPMN 2.0 document with its diagram')
    .tenantOption()
    .option('--format <format>', 'json or bpmn', 'json')
    .option('--out <file>', 'write it to this file instead of standard output')
    .action(async (processId: string, options: TenantOptions & { format: string; out?: string }) => {
      if (options.format !== 'json' && options.format !== 'bpmn') throw new ConfigError(`--format must be json or bpmn, not "${options.format}"`);
      const text =
        options.format === 'bpmn'
          ? await (await get(ProcessBpmn)).export(options.tenant, processId)
          : `${JSON.stringify((await (await get(ProcessesService)).get(options.tenant, processId)).definition, null, 2)}\n`;
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    });
  processCommand
    .command('import <file>')
    .description(
      "save a definition (.json) or a BPMN 2.0 document (.bpmn, .xml) as the tenant's process of its id: an override of a base process, a new version of a custom one, or a new custom process",
    )
    .tenantOption()
    .jsonOption()
    .action(async (file: string, options: TenantOptions) => {
      const text = readText(file);
      const saved =
        /\.(bpmn|xml)$/i.test(file) || text.trimStart().startsWith('<')
          ? await (await get(ProcessBpmn)).import(options.tenant, text)
          : await (await get(ProcessesService)).save(options.tenant, readJson(file));
      printObject(saved, options.json);
    });
}

/** A tenant's own processes, and switching any process on or off. */
function addCustomProcessCommands(processCommand: CliCommand, { get }: CliServices): void {
  processCommand
    .command('create')
    .description("add a custom process to the tenant (its id must not be a base process's)")
    .tenantOption()
    .requiredOption('--file <definition>', 'the definition (JSON)')
    .jsonOption()
    .action(async (options: TenantOptions & { file: string }) => {
      printObject(await (await get(ProcessesService)).create(options.tenant, readJson(options.file)), options.json);
    });
  processCommand
    .command('update <processId>')
    .description('save a new version of a custom process')
    .tenantOption()
    .requiredOption('--file <definition>', 'the definition (JSON)')
    .jsonOption()
    .action(async (processId: string, options: TenantOptions & { file: string }) => {
      printObject(await (await get(ProcessesService)).update(options.tenant, processId, readJson(options.file)), options.json);
    });
  processCommand
    .command('delete <processId>')
    .description('delete a custom process and its history')
    .tenantOption()
    .jsonOption()
    .action(async (processId: string, options: TenantOptions) => {
      await (await get(ProcessesService)).remove(options.tenant, processId);
      printObject({ id: processId, deleted: true }, options.json);
    });
  for (const [verb, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    processCommand
      .command(`${verb} <processId>`)
      .description(`${verb} a process for one tenant; applies to the next webhook`)
      .tenantOption()
      .jsonOption()
      .action(async (processId: string, options: TenantOptions) => {
        printObject(await (await get(ProcessesService)).setActive(options.tenant, processId, active), options.json);
      });
  }
}

function addValidateCommand(processCommand: CliCommand, { scratch }: CliServices): void {
  processCommand
    .command('validate [files...]')
    .description('check definition files (default: every file of the processes directory); exit code 1 on a problem')
    .jsonOption()
    .action(async (files: string[], options: JsonOptions) => {
      const compiler = await scratch(DefinitionCompiler);
      const paths = files.length > 0 ? files : definitionFiles(loadConfig().processesDir);
      const results = paths.map((path) => {
        // `processes/*.json` in a shell names the shipped schema too: it is no definition to check.
        if (isJsonSchemaFile(path)) return { file: path, valid: true, problems: [], skipped: 'a JSON Schema document, not a process definition' };
        const result = compileFile(path, compiler);
        return { file: path, valid: result.ok, problems: result.ok ? [] : result.problems };
      });
      if (options.json) printList(results, true);
      else
        for (const result of results) {
          const line = 'skipped' in result ? `skip ${result.file} (${result.skipped})` : result.valid ? `ok  ${result.file}` : result.problems.join('\n');
          process.stdout.write(`${line}\n`);
        }
      if (results.some((result) => !result.valid)) throw new CommanderError(1, 'hookflow.invalid', 'invalid definitions');
    });
}

interface WhatIfOptions extends TenantOptions {
  webhook?: string[];
  status?: string;
  since?: string;
  limit: string;
}

/** Running a draft definition without writing anything. */
function addDryRunCommands(processCommand: CliCommand, { get, scratch }: CliServices): void {
  processCommand
    .command('test <file>')
    .description('dry-run a definition against a sample payload and print the trace; writes nothing')
    .requiredOption('--payload <json-file>', 'the sample webhook parameters, a JSON object')
    .option('--tenant <tenantId>', "run against this tenant's catalogue (default: a scratch copy of the default catalogue)")
    .option('--api-key <name>', 'the name of the API key the webhook is sent with, for triggers restricted to keys')
    .option(
      '--wait <step=choice...>',
      'go on past a wait step: <step>=timeout, <step>=approved or rejected (wait-for-approval), <step>=@payload.json (a webhook with that payload resumes a wait-for-webhook)',
    )
    .jsonOption()
    .action(async (file: string, options: JsonOptions & { payload: string; tenant?: string; apiKey?: string; wait?: string[] }) => {
      const definition = readJson(file);
      const payload = readJson(options.payload);
      const waits = waitChoices(options.wait ?? []);
      const dryRun = options.tenant ? await get(DryRunService) : await scratch(DryRunService);
      const tenantId = options.tenant ?? (await (await scratch(TenantsService)).create('Dry run')).id;
      const key = options.apiKey ? { id: options.apiKey, name: options.apiKey } : undefined;
      const result = await dryRun.test(tenantId, definition, payload, key, waits);
      if (options.json) printObject(result, true);
      else printDryRun(result);
    });
  processCommand
    .command('what-if <file>')
    .description("dry-run a draft definition against the tenant's stored webhooks, next to what actually happened")
    .tenantOption()
    .option('--webhook <id...>', 'these webhooks')
    .option('--status <status>', 'webhooks with this status: processed, received, failed')
    .option('--since <time>', 'webhooks received since an ISO 8601 time, or a duration such as 7d or 12h')
    .option('--limit <n>', 'at most this many, newest first', '50')
    .jsonOption()
    .action(async (file: string, options: WhatIfOptions) => {
      const report = await (
        await get(WhatIfService)
      ).compare(options.tenant, readJson(file), {
        webhookIds: options.webhook,
        status: webhookStatus(options.status),
        from: options.since ? since(options.since) : undefined,
        limit: wholeNumber(options.limit, '--limit'),
      });
      if (options.json) printObject(report, true);
      else printList(report.entries.map(whatIfRow));
    });
}

function addSchemaCommand(processCommand: CliCommand, { scratch }: CliServices): void {
  processCommand
    .command('schema')
    .description('print the JSON Schema of process definitions, with every registered step type')
    .action(async () => {
      const registry = await scratch(StepRegistry);
      process.stdout.write(`${JSON.stringify(buildProcessSchema(registry.all()), null, 2)}\n`);
    });
}

/** A file that declares a json-schema.org `$schema` and has no steps: a schema, such as processes/process.schema.json. */
function isJsonSchemaFile(path: string): boolean {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Unreadable or not JSON: the definition check says so.
    return false;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
  const { $schema: schema } = document as Record<string, unknown>;
  return typeof schema === 'string' && /^https?:\/\/json-schema\.org\//.test(schema) && !('steps' in document);
}

function definitionFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== 'process.schema.json')
    .sort()
    .map((file) => join(dir, file));
}

function webhookStatus(raw: string | undefined): WebhookStatus | undefined {
  if (raw === undefined) return undefined;
  if (!['queued', 'processed', 'received', 'failed'].includes(raw)) {
    throw new ConfigError(`--status: "${raw}" is not one of queued, processed, received, failed`);
  }
  return raw as WebhookStatus;
}

/** An ISO 8601 time, or a duration back from now: 30m, 12h, 7d. */
function since(raw: string): Date {
  const duration = /^(\d+)([mhd])$/.exec(raw);
  if (duration) return new Date(Date.now() - Number(duration[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 'm' | 'h' | 'd']);
  const time = new Date(raw);
  if (Number.isNaN(time.getTime())) throw new ConfigError(`--since: "${raw}" is neither an ISO 8601 time nor a duration like 7d`);
  return time;
}

/** One stored webhook of a what-if report for people: what happened, and what the draft would do. */
function whatIfRow({ webhook, draft }: WhatIfEntry): object {
  return {
    webhook: webhook.id,
    receivedAt: webhook.receivedAt,
    was: webhook.status,
    draft: draft.status,
    wouldWrite: draft.records.map((record) => `${record.action} ${record.object}`).join(', '),
    problem: draft.error?.message ?? draft.waits.map((wait) => `${wait.step}: ${wait.says}`).join('; '),
  };
}

/** `--wait order=@order.json --wait approve=approved` as the dry run's choices (checked against the definition there). */
function waitChoices(options: string[]): Record<string, unknown> {
  const choices: Record<string, unknown> = {};
  for (const option of options) {
    const at = option.indexOf('=');
    const [step, choice] = at > 0 ? [option.slice(0, at), option.slice(at + 1)] : [option, ''];
    if (!step || !choice) throw new ConfigError(`--wait: "${option}" is not <step>=<choice> (timeout, approved, rejected or @payload.json)`);
    if (choice.startsWith('@')) choices[step] = { payload: readJson(choice.slice(1)) };
    else if (choice === 'approved' || choice === 'rejected') choices[step] = { decision: choice };
    else choices[step] = choice;
  }
  return choices;
}

/** A dry run for people: one line per step, then what would be written. */
function printDryRun(result: {
  processId: string;
  version: number;
  status: string;
  error: { message: string } | null;
  trace: Array<{ step: string; type: string; status: string; output?: unknown; error?: string }>;
  records: Array<{ action: string; object: string; recordId: string | null; values: Record<string, unknown> }>;
  waits: Array<{ step: string; says: string }>;
}): void {
  const lines = [`${result.processId} v${result.version}: ${result.status}${result.error ? ` — ${result.error.message}` : ''}`];
  for (const entry of result.trace) {
    const detail = entry.status === 'failed' ? `FAILED: ${entry.error}` : `${entry.status === 'waiting' ? 'WAITS: ' : ''}${cell(entry.output)}`;
    lines.push(`  ${entry.step.padEnd(16)} ${entry.type.padEnd(16)} ${detail.slice(0, 200)}`);
  }
  for (const wait of result.waits) lines.push(`Stopped at "${wait.step}": it ${wait.says} (go on with --wait ${wait.step}=…).`);
  lines.push(result.records.length === 0 ? 'Would write no record.' : 'Would write:');
  for (const record of result.records) {
    lines.push(`  ${record.action} ${record.object}${record.recordId ? ` ${record.recordId}` : ''}: ${JSON.stringify(record.values)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The three definitions of an override whose base changed, one after the other, for people to compare. */
function printBaseUpgrade(upgrade: BaseUpgradeView): void {
  const section = (title: string, definition: unknown) => `--- ${title}\n${definition ? JSON.stringify(definition, null, 2) : '(not stored)'}\n`;
  const conflicts = upgrade.conflicts === null ? 'unknown (the old base is not stored)' : upgrade.conflicts.join(', ') || 'none';
  process.stdout.write(
    `\nbase changed since this override (v${upgrade.from} → v${upgrade.to}); rebase conflicts: ${conflicts}\n` +
      section(`old base (v${upgrade.from})`, upgrade.oldBase) +
      section(`new base (v${upgrade.to})`, upgrade.newBase) +
      section(`override (v${upgrade.override.version})`, upgrade.override),
  );
}
