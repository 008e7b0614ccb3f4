import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../config/config.js';
import { addApiKeyCommands } from './apikey-commands.js';
import { CliModule } from './cli.module.js';
import { addClientCommands } from './client-commands.js';
import { CliCommand, type CliServices, type CommandGroup, reportFailure } from './common.js';
import { addProcessCommands } from './process-commands.js';
import { addRecordsCommands } from './records-commands.js';
import { addSecretCommands } from './secret-commands.js';
import { addTenantCommands } from './tenant-commands.js';
import { addUserCommands } from './user-commands.js';
import { addWebhooksCommands } from './webhooks-commands.js';
import { addInstancesCommands } from './instances-commands.js';
import { addTasksCommands } from './tasks-commands.js';

/** In the order `hookflow --help` lists them. */
const GROUPS: CommandGroup[] = [
  addTenantCommands,
  addApiKeyCommands,
  addClientCommands,
  addUserCommands,
  addSecretCommands,
  addRecordsCommands,
  addWebhooksCommands,
  addInstancesCommands,
  addTasksCommands,
  addProcessCommands,
];

/** `hookflow`: the operator's command line. It talks to the database directly, beside a running service. */
export async function runCli(argv: string[]): Promise<number> {
  const contexts: INestApplicationContext[] = [];
  let context: INestApplicationContext | undefined;
  let scratch: INestApplicationContext | undefined;
  let queued: INestApplicationContext | undefined;
  const start = async (env: NodeJS.ProcessEnv, options: { queue?: boolean } = {}) => {
    const started = await NestFactory.createApplicationContext(CliModule.forConfig(loadConfig(env), options), {
      logger: false,
      abortOnError: false,
    });
    contexts.push(started);
    return started;
  };
  // Nest starts only for a command that runs, so --help and usage errors stay instant.
  const services: CliServices = {
    get: async (type) => (context ??= await start(process.env)).get(type),
    queued: async (type) => (queued ??= await start(process.env, { queue: true })).get(type),
    scratch: async (type) => (scratch ??= await start({ ...process.env, DATABASE_URL: 'sqlite::memory:' })).get(type),
  };
  try {
    await buildProgram(services).parseAsync(argv);
    return 0;
  } catch (error) {
    return reportFailure(error);
  } finally {
    for (const started of contexts) await started.close();
  }
}

function buildProgram(services: CliServices): CliCommand {
  const program = new CliCommand('hookflow').description('Hookflow: webhooks in, records out').exitOverride().showHelpAfterError();
  for (const addGroup of GROUPS) addGroup(program, services);
  return program;
}
