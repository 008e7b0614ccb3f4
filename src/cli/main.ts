import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { RecordsService } from '../catalogue/records.service.js';
import { AppError } from '../common/app-error.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { DefinitionFileError } from '../engine/base-definitions.js';
import { ProcessesService, type BaseUpgradeView } from '../engine/processes.service.js';
import { RunsService } from '../engine/runs.service.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefinitionCompiler } from '../engine/definition-compiler.js';
import { DryRunService } from '../engine/dry-run.service.js';
import { WhatIfService } from '../engine/what-if.service.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import { compileFile } from '../engine/base-definitions.js';
import { buildProcessSchema } from '../engine/process-schema.js';
import { StepRegistry } from '../engine/step-registry.js';
import { OAuthService } from '../auth/oauth.service.js';
import { SCOPES } from '../auth/scopes.js';
import type { SignatureConfig } from '../tenants/signature-schemes.js';
import { CliModule } from './cli.module.js';
import { addUserCommands } from './user-commands.js';
import { addClientCommands } from './client-commands.js';
import { addSecretCommands } from './secret-commands.js';
import { printDryRun, printList, printObject } from './output.js';

/** `hookflow`: the operator's command line. It talks to the database directly, beside a running service. */
export async function runCli(argv: string[]): Promise<number> {
  const contexts: INestApplicationContext[] = [];
  let context: INestApplicationContext | undefined;
  let scratch: INestApplicationContext | undefined;
  const start = async (env: NodeJS.ProcessEnv) => {
    const started = await NestFactory.createApplicationContext(CliModule.forConfig(loadConfig(env)), {
      logger: false,
      abortOnError: false,
    });
    contexts.push(started);
    return started;
  };
  // Nest starts only for a command that runs, so --help and usage errors stay instant.
  const services: Services = {
    main: async () => (context ??= await start(process.env)),
    // Commands that need no stored data (validate, schema, a dry run without --tenant) use a
    // private in-memory database, so they leave nothing behind.
    scratch: async () => (scratch ??= await start({ ...process.env, DATABASE_URL: 'sqlite::memory:' })),
  };
  const program = buildProgram(services);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof AppError || error instanceof ConfigError || error instanceof DefinitionFileError) {
      process.stderr.write(`hookflow: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`hookflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    for (const started of contexts) await started.close();
  }
}

interface Services {
  main(): Promise<INestApplicationContext>;
  scratch(): Promise<INestApplicationContext>;
}

function buildProgram(services: Services): Command {
  const program = new Command('hookflow')
    .description('Hookflow: webhooks in, records out')
    .exitOverride()
    .showHelpAfterError();
  const get = async <T>(type: new (...args: never[]) => T): Promise<T> => (await services.main()).get(type);
  const scratch = async <T>(type: new (...args: never[]) => T): Promise<T> => (await services.scratch()).get(type);

  const tenant = program.command('tenant').description('tenants: one customer each, with its own catalogue and keys');
  tenant
    .command('create <name>')
    .description('create a tenant with the default catalogue')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { json?: boolean }) => {
      printObject(await (await get(TenantsService)).create(name), options.json);
    });
  tenant
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      printList(await (await get(TenantsService)).list(), options.json, ['id', 'name', 'rateLimitPerMinute']);
    });
  tenant
    .command('update <tenantId>')
    .description("change a tenant; running API processes apply it within API_KEY_CACHE_MS")
    .requiredOption('--rate-limit <n>', 'webhooks per minute of each key without a limit of its own (0: no limit; "default": RATE_LIMIT_PER_MINUTE)')
    .option('--json', 'machine-readable output')
    .action(async (tenantId: string, options: { rateLimit: string; json?: boolean }) => {
      printObject(await (await get(TenantsService)).setRateLimit(tenantId, rateLimit(options.rateLimit, 0)), options.json);
    });

  const apikey = program.command('apikey').description('API keys: one per webhook source');
  apikey
    .command('create')
    .description('create a key; it is shown once, only its hash is stored')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--name <name>', 'what sends with this key, e.g. "Landing page"')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; name: string; json?: boolean }) => {
      printObject(await (await get(ApiKeysService)).create(options.tenant, options.name), options.json);
    });
  apikey
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; json?: boolean }) => {
      printList(await (await get(ApiKeysService)).list(options.tenant), options.json, [
        'id',
        'name',
        'prefix',
        'createdAt',
        'revokedAt',
        'rateLimitPerMinute',
      ]);
    });
  apikey
    .command('update <apiKeyId>')
    .description("change a key; running API processes apply it within API_KEY_CACHE_MS")
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--rate-limit <n>', `webhooks per minute this key may send, at most its tenant's ("default": the tenant's limit)`)
    .option('--json', 'machine-readable output')
    .action(async (apiKeyId: string, options: { tenant: string; rateLimit: string; json?: boolean }) => {
      printObject(await (await get(ApiKeysService)).setRateLimit(options.tenant, apiKeyId, rateLimit(options.rateLimit, 1)), options.json);
    });
  apikey
    .command('revoke <apiKeyId>')
    .description('revoke a key; webhooks sent with it are refused with 401')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (apiKeyId: string, options: { tenant: string; json?: boolean }) => {
      await (await get(ApiKeysService)).revoke(options.tenant, apiKeyId);
      printObject({ id: apiKeyId, revoked: true }, options.json);
    });

  apikey
    .command('signature <apiKeyId>')
    .description('require webhooks sent with this key to be signed; --none to stop')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--scheme <scheme>', 'standard-webhooks, stripe, github, shopify or hmac')
    .option('--secret <secret>', 'the signing secret (stored encrypted)')
    .option('--header <name>', 'hmac: the header that carries the signature')
    .option('--algorithm <algorithm>', 'hmac: sha256 or sha512', 'sha256')
    .option('--encoding <encoding>', 'hmac: hex or base64', 'hex')
    .option('--prefix <prefix>', 'hmac: text before the signature, e.g. sha256=')
    .option('--none', 'stop requiring signatures')
    .option('--json', 'machine-readable output')
    .action(
      async (
        apiKeyId: string,
        options: { tenant: string; scheme?: string; secret?: string; header?: string; algorithm: string; encoding: string; prefix?: string; none?: boolean; json?: boolean },
      ) => {
        if (!options.none && (!options.scheme || !options.secret)) throw new ConfigError('give --scheme and --secret, or --none');
        const config = options.none
          ? null
          : ({ scheme: options.scheme, secret: options.secret, header: options.header, algorithm: options.algorithm, encoding: options.encoding, prefix: options.prefix } as SignatureConfig);
        printObject(await (await get(ApiKeysService)).setSignature(options.tenant, apiKeyId, config), options.json);
      },
    );

  program
    .command('client')
    .description('OAuth 2.0 clients of the admin API')
    .command('create')
    .description('create a client; its secret is shown once, only its hash is stored')
    .option('--platform', 'a platform client: creates tenants, acts on all of them')
    .option('--tenant <tenantId>', 'a client of one tenant')
    .option('--scopes <scopes>', `scopes of a tenant client, comma-separated: ${SCOPES.join(',')}`)
    .option('--json', 'machine-readable output')
    .action(async (options: { platform?: boolean; tenant?: string; scopes?: string; json?: boolean }) => {
      if (Boolean(options.platform) === Boolean(options.tenant)) throw new ConfigError('give either --platform or --tenant <tenantId>');
      const scopes = options.scopes ? options.scopes.split(',').map((scope) => scope.trim()).filter(Boolean) : [];
      const oauth = await get(OAuthService);
      printObject(await oauth.createClient(options.platform ? 'platform' : 'tenant', options.tenant ?? null, scopes), options.json);
    });

  addClientCommands(program, get);
  addUserCommands(program, get);
  addSecretCommands(program, get);

  program
    .command('records')
    .description('records of the catalogue')
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--entity <object>', 'object code, e.g. Lead')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; entity: string; limit: string; json?: boolean }) => {
      const records = await (await get(RecordsService)).list(options.tenant, options.entity, wholeNumber(options.limit, '--limit'));
      printList(records, options.json);
    });

  const webhooks = program.command('webhooks').description('the webhook log');
  webhooks
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; limit: string; json?: boolean }) => {
      const list = await (await get(WebhookLogService)).list(options.tenant, wholeNumber(options.limit, '--limit'));
      printList(list, options.json, ['id', 'receivedAt', 'status', 'reason', 'recordIds']);
    });
  webhooks
    .command('show <webhookId>')
    .description('one webhook with its payload and the runs of its processes, step by step')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (webhookId: string, options: { tenant: string; json?: boolean }) => {
      const webhook = await (await get(WebhookLogService)).get(options.tenant, webhookId);
      const runs = await (await get(RunsService)).forWebhook(options.tenant, webhookId);
      printObject({ ...webhook, runs }, options.json);
    });

  const processCommand = program.command('process').description('business processes of a tenant');
  processCommand
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; json?: boolean }) => {
      const processes = await (await get(ProcessesService)).list(options.tenant);
      const rows = options.json ? processes : processes.map((view) => ({ ...view, note: view.baseChanged?.message ?? '' }));
      printList(rows, options.json, ['id', 'name', 'source', 'version', 'active', 'note']);
    });
  processCommand
    .command('show <processId>')
    .description('the definition that runs for the tenant, the base definition and the saved versions; after a base upgrade, old base, new base and override')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; json?: boolean }) => {
      const { baseUpgrade, ...detail } = await (await get(ProcessesService)).get(options.tenant, processId);
      if (options.json) printObject({ ...detail, baseUpgrade }, true);
      else {
        printObject(detail);
        if (baseUpgrade) printBaseUpgrade(baseUpgrade);
      }
    });
  processCommand
    .command('rebase <processId>')
    .description("apply what the base changed since the override was made to the override; refused with the JSON paths both changed")
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; json?: boolean }) => {
      printObject(await (await get(ProcessesService)).rebase(options.tenant, processId), options.json);
    });
  processCommand
    .command('override <processId>')
    .description('run a modified definition of a base process for this tenant (saved as a new version)')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--file <definition>', 'the modified definition (JSON)')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; file: string; json?: boolean }) => {
      printObject(await (await get(ProcessesService)).override(options.tenant, processId, readJson(options.file)), options.json);
    });
  processCommand
    .command('revert <processId>')
    .description('run the base definition again (the saved versions stay in the history)')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; json?: boolean }) => {
      printObject(await (await get(ProcessesService)).revert(options.tenant, processId), options.json);
    });
  processCommand
    .command('rollback <processId>')
    .description('save an earlier version again as the newest')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--to-version <n>', 'the saved version to run again')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; toVersion: string; json?: boolean }) => {
      const processes = await get(ProcessesService);
      printObject(await processes.rollback(options.tenant, processId, wholeNumber(options.toVersion, '--to-version')), options.json);
    });
  processCommand
    .command('create')
    .description("add a custom process to the tenant (its id must not be a base process's)")
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--file <definition>', 'the definition (JSON)')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; file: string; json?: boolean }) => {
      printObject(await (await get(ProcessesService)).create(options.tenant, readJson(options.file)), options.json);
    });
  processCommand
    .command('update <processId>')
    .description('save a new version of a custom process')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--file <definition>', 'the definition (JSON)')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; file: string; json?: boolean }) => {
      printObject(await (await get(ProcessesService)).update(options.tenant, processId, readJson(options.file)), options.json);
    });
  processCommand
    .command('delete <processId>')
    .description('delete a custom process and its history')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (processId: string, options: { tenant: string; json?: boolean }) => {
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
      .requiredOption('--tenant <tenantId>', 'tenant id')
      .option('--json', 'machine-readable output')
      .action(async (processId: string, options: { tenant: string; json?: boolean }) => {
        printObject(await (await get(ProcessesService)).setActive(options.tenant, processId, active), options.json);
      });
  }
  processCommand
    .command('validate [files...]')
    .description('check definition files (default: every file of the processes directory); exit code 1 on a problem')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], options: { json?: boolean }) => {
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
  processCommand
    .command('test <file>')
    .description('dry-run a definition against a sample payload and print the trace; writes nothing')
    .requiredOption('--payload <json-file>', 'the sample webhook parameters, a JSON object')
    .option('--tenant <tenantId>', "run against this tenant's catalogue (default: a scratch copy of the default catalogue)")
    .option('--api-key <name>', 'the name of the API key the webhook is sent with, for triggers restricted to keys')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { payload: string; tenant?: string; apiKey?: string; json?: boolean }) => {
      const definition = readJson(file);
      const payload = readJson(options.payload);
      const dryRun = options.tenant ? await get(DryRunService) : await scratch(DryRunService);
      const tenantId = options.tenant ?? (await (await scratch(TenantsService)).create('Dry run')).id;
      const key = options.apiKey ? { id: options.apiKey, name: options.apiKey } : undefined;
      const result = await dryRun.test(tenantId, definition, payload, key);
      if (options.json) printObject(result, true);
      else printDryRun(result);
    });
  processCommand
    .command('what-if <file>')
    .description("dry-run a draft definition against the tenant's stored webhooks, next to what actually happened")
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--webhook <id...>', 'these webhooks')
    .option('--status <status>', 'webhooks with this status: processed, received, failed')
    .option('--since <time>', 'webhooks received since an ISO 8601 time, or a duration such as 7d or 12h')
    .option('--limit <n>', 'at most this many, newest first', '50')
    .option('--json', 'machine-readable output')
    .action(
      async (
        file: string,
        options: { tenant: string; webhook?: string[]; status?: string; since?: string; limit: string; json?: boolean },
      ) => {
        const report = await (await get(WhatIfService)).compare(options.tenant, readJson(file), {
          webhookIds: options.webhook,
          status: webhookStatus(options.status),
          from: options.since ? since(options.since) : undefined,
          limit: wholeNumber(options.limit, '--limit'),
        });
        if (options.json) printObject(report, true);
        else
          printList(
            report.entries.map(({ webhook, draft }) => ({
              webhook: webhook.id,
              receivedAt: webhook.receivedAt,
              was: webhook.status,
              draft: draft.status,
              wouldWrite: draft.records.map((record) => `${record.action} ${record.object}`).join(', '),
              problem: draft.error?.message ?? '',
            })),
          );
      },
    );
  processCommand
    .command('schema')
    .description('print the JSON Schema of process definitions, with every registered step type')
    .action(async () => {
      const registry = await scratch(StepRegistry);
      process.stdout.write(`${JSON.stringify(buildProcessSchema(registry.all()), null, 2)}\n`);
    });
  return program;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
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

/** --rate-limit: a whole number from `min`, or "default" (null: the limit one level up). */
function rateLimit(raw: string, min: number): number | null {
  if (raw === 'default') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ConfigError(`--rate-limit: "${raw}" must be a whole number from ${min}, or "default"`);
  return Number(raw);
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

function definitionFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== 'process.schema.json')
    .sort()
    .map((file) => join(dir, file));
}

function wholeNumber(raw: string, option: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new ConfigError(`${option}: "${raw}" must be a whole number from 1 to 10000`);
  }
  return value;
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

