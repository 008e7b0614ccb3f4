import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { RecordsService } from '../catalogue/records.service.js';
import { AppError } from '../common/app-error.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { DefinitionFileError } from '../engine/process-definitions.js';
import { ProcessesService } from '../engine/processes.service.js';
import { RunsService } from '../engine/runs.service.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { CliModule } from './cli.module.js';
import { printList, printObject } from './output.js';

/** `hookflow`: the operator's command line. It talks to the database directly, beside a running service. */
export async function runCli(argv: string[]): Promise<number> {
  let context: INestApplicationContext | undefined;
  // Nest starts only for a command that runs, so --help and usage errors stay instant.
  const services = async () => {
    context ??= await NestFactory.createApplicationContext(CliModule.forConfig(loadConfig()), {
      logger: false,
      abortOnError: false,
    });
    return context;
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
    await context?.close();
  }
}

function buildProgram(services: () => Promise<INestApplicationContext>): Command {
  const program = new Command('hookflow')
    .description('Hookflow: webhooks in, records out')
    .exitOverride()
    .showHelpAfterError();
  const get = async <T>(type: new (...args: never[]) => T): Promise<T> => (await services()).get(type);

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
      printList(await (await get(TenantsService)).list(), options.json, ['id', 'name']);
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
      ]);
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

  program
    .command('records')
    .description('records of the catalogue')
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--entity <object>', 'object code, e.g. Lead')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; entity: string; limit: string; json?: boolean }) => {
      const records = await (await get(RecordsService)).list(options.tenant, options.entity, limit(options.limit));
      printList(records, options.json);
    });

  const webhooks = program.command('webhooks').description('the webhook log');
  webhooks
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; limit: string; json?: boolean }) => {
      const list = await (await get(WebhookLogService)).list(options.tenant, limit(options.limit));
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
      printList(await (await get(ProcessesService)).list(options.tenant), options.json, ['id', 'name', 'version', 'active']);
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
        await (await get(ProcessesService)).setActive(options.tenant, processId, active);
        printObject({ id: processId, active }, options.json);
      });
  }
  return program;
}

function limit(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new ConfigError(`--limit: "${raw}" must be a whole number from 1 to 10000`);
  }
  return value;
}
