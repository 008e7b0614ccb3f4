import { InstancesService } from '../engine/instances.service.js';
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
}
