import { TenantsService } from '../tenants/tenants.service.js';
import { type CliCommand, type CliServices, type JsonOptions, printList, printObject, rateLimit } from './common.js';

/** `hookflow tenant …`: tenants, one customer each. */
export function addTenantCommands(program: CliCommand, { get }: CliServices): void {
  const tenant = program.command('tenant').description('tenants: one customer each, with its own catalogue and keys');
  tenant
    .command('create <name>')
    .description('create a tenant with the default catalogue')
    .jsonOption()
    .action(async (name: string, options: JsonOptions) => {
      printObject(await (await get(TenantsService)).create(name), options.json);
    });
  tenant
    .command('list')
    .jsonOption()
    .action(async (options: JsonOptions) => {
      printList(await (await get(TenantsService)).list(), options.json, ['id', 'name', 'rateLimitPerMinute']);
    });
  tenant
    .command('update <tenantId>')
    .description('change a tenant; running API processes apply it within API_KEY_CACHE_MS')
    .requiredOption('--rate-limit <n>', 'webhooks per minute of each key without a limit of its own (0: no limit; "default": RATE_LIMIT_PER_MINUTE)')
    .jsonOption()
    .action(async (tenantId: string, options: JsonOptions & { rateLimit: string }) => {
      printObject(await (await get(TenantsService)).setRateLimit(tenantId, rateLimit(options.rateLimit, 0)), options.json);
    });
}
