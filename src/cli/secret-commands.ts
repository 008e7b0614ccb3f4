import { TenantSecretsService } from '../secrets/tenant-secrets.service.js';
import { type CliCommand, type CliServices, type TenantOptions, printList, printObject, readStdin } from './common.js';

/** `hookflow secret …`: a tenant's named secrets, which processes reference as {"secret": "<name>"}. */
export function addSecretCommands(program: CliCommand, { get }: CliServices): void {
  const secret = program.command('secret').description('tenant secrets for processes: write-only, listed by name and last change');
  secret
    .command('set <name>')
    .description('create or replace a secret; the value is read from standard input and never shown again')
    .tenantOption()
    .jsonOption()
    .action(async (name: string, options: TenantOptions) => {
      const value = await readStdin('the secret');
      printObject(await (await get(TenantSecretsService)).set(options.tenant, name, value), options.json);
    });
  secret
    .command('list')
    .tenantOption()
    .jsonOption()
    .action(async (options: TenantOptions) => {
      printList(await (await get(TenantSecretsService)).list(options.tenant), options.json, ['name', 'createdAt', 'updatedAt']);
    });
  secret
    .command('delete <name>')
    .tenantOption()
    .jsonOption()
    .action(async (name: string, options: TenantOptions) => {
      await (await get(TenantSecretsService)).delete(options.tenant, name);
      printObject({ name, deleted: true }, options.json);
    });
}
