import { RecordsService } from '../catalogue/records.service.js';
import { type CliCommand, type CliServices, type TenantOptions, printList, wholeNumber } from './common.js';

/** `hookflow records …`: what processes wrote to a tenant's catalogue. */
export function addRecordsCommands(program: CliCommand, { get }: CliServices): void {
  program
    .command('records')
    .description('records of the catalogue')
    .command('list')
    .tenantOption()
    .requiredOption('--entity <object>', 'object code, e.g. Lead')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .jsonOption()
    .action(async (options: TenantOptions & { entity: string; limit: string }) => {
      const records = await (await get(RecordsService)).list(options.tenant, options.entity, wholeNumber(options.limit, '--limit'));
      printList(records, options.json);
    });
}
