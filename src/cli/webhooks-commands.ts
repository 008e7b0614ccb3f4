import { writeFileSync } from 'node:fs';
import { InstancesService } from '../engine/instances.service.js';
import { MappingProposalService } from '../engine/mapping-proposal/mapping-proposal.service.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { type CliCommand, type CliServices, type TenantOptions, printList, printObject, wholeNumber } from './common.js';

/** `hookflow webhooks …`: the log of received webhooks and what their processes did. */
export function addWebhooksCommands(program: CliCommand, { get }: CliServices): void {
  const webhooks = program.command('webhooks').description('the webhook log');
  webhooks
    .command('list')
    .tenantOption()
    .option('--limit <n>', 'at most this many, newest first', '100')
    .jsonOption()
    .action(async (options: TenantOptions & { limit: string }) => {
      const list = await (await get(WebhookLogService)).list(options.tenant, wholeNumber(options.limit, '--limit'));
      printList(list, options.json, ['id', 'receivedAt', 'status', 'reason', 'recordIds']);
    });
  webhooks
    .command('show <webhookId>')
    .description('one webhook with its payload and the runs of its processes, step by step')
    .tenantOption()
    .jsonOption()
    .action(async (webhookId: string, options: TenantOptions) => {
      const webhook = await (await get(WebhookLogService)).get(options.tenant, webhookId);
      const runs = await (await get(InstancesService)).forWebhook(options.tenant, webhookId);
      printObject({ ...webhook, runs }, options.json);
    });
  webhooks
    .command('map <webhookId>')
    .description('propose a custom process that maps a stored webhook to an object: each parameter with its column, why and how sure (JSON)')
    .tenantOption()
    .option('--object <name>', 'the object to map to; absent: the one whose columns match best')
    .option('--definition <file>', 'also write the proposed definition there, for `process create --file`')
    // Printed as JSON either way: a proposal is nested too deep for lines of key: value.
    .jsonOption()
    .action(async (webhookId: string, options: TenantOptions & { object?: string; definition?: string }) => {
      const proposal = await (await get(MappingProposalService)).propose(options.tenant, webhookId, options.object);
      if (options.definition) writeFileSync(options.definition, `${JSON.stringify(proposal.definition, null, 2)}\n`);
      printObject(proposal, true);
    });
}
