import { Command } from 'commander';
import { TenantSecretsService } from '../secrets/tenant-secrets.service.js';
import { printList, printObject } from './output.js';
import { readStdin } from './stdin.js';

type Get = <T>(type: new (...args: never[]) => T) => Promise<T>;

/** `hookflow secret …`: a tenant's named secrets, which processes reference as {"secret": "<name>"}. */
export function addSecretCommands(program: Command, get: Get): void {
  const secret = program.command('secret').description('tenant secrets for processes: write-only, listed by name and last change');
  secret
    .command('set <name>')
    .description('create or replace a secret; the value is read from standard input and never shown again')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { tenant: string; json?: boolean }) => {
      const value = await readStdin('the secret');
      printObject(await (await get(TenantSecretsService)).set(options.tenant, name, value), options.json);
    });
  secret
    .command('list')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; json?: boolean }) => {
      printList(await (await get(TenantSecretsService)).list(options.tenant), options.json, ['name', 'createdAt', 'updatedAt']);
    });
  secret
    .command('delete <name>')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { tenant: string; json?: boolean }) => {
      await (await get(TenantSecretsService)).delete(options.tenant, name);
      printObject({ name, deleted: true }, options.json);
    });
}
