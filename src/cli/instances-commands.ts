import { ConfigError } from '../config/config.js';
import { InstancesService, type InstanceDetail } from '../engine/instances.service.js';
import type { InstanceStatus } from '../engine/instance-state.js';
import { InstanceControl } from '../pipeline/instance-control.service.js';
import { type CliCommand, type CliServices, type TenantOptions, printList, printObject, wholeNumber } from './common.js';

const STATUSES: readonly InstanceStatus[] = ['running', 'waiting', 'completed', 'skipped', 'failed', 'cancelled'];

/** `hookflow instances …`: process instances, what they wait for, and cancelling or retrying one. */
export function addInstancesCommands(program: CliCommand, { get, queued }: CliServices): void {
  const instances = program.command('instances').description('process instances: their timelines, what they wait for, cancel, retry');
  instances
    .command('list')
    .tenantOption()
    .option('--status <status>', `only instances with this status (${STATUSES.join(', ')})`)
    .option('--process <processId>', 'only instances of this process')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .jsonOption()
    .action(async (options: TenantOptions & { status?: string; process?: string; limit: string }) => {
      if (options.status && !STATUSES.includes(options.status as InstanceStatus)) {
        throw new ConfigError(`--status: "${options.status}" is not one of ${STATUSES.join(', ')}`);
      }
      const filter = { status: options.status as InstanceStatus | undefined, processId: options.process };
      const list = await (await get(InstancesService)).list(options.tenant, filter, wholeNumber(options.limit, '--limit'));
      printList(
        list.map(({ trace: _trace, ...instance }) => instance),
        options.json,
        ['id', 'processId', 'processVersion', 'status', 'startedAt', 'wakeAt', 'reason'],
      );
    });
  instances
    .command('show <instanceId>')
    .description('one instance: its timeline step by step, what it waits for, its variables')
    .tenantOption()
    .jsonOption()
    .action(async (instanceId: string, options: TenantOptions) => {
      printInstance(await (await get(InstancesService)).get(options.tenant, instanceId), options.json);
    });
  instances
    .command('cancel <instanceId>')
    .description('end a waiting, running or failed instance for good (needs REDIS_URL, as the service does)')
    .tenantOption()
    .jsonOption()
    .action(async (instanceId: string, options: TenantOptions) => {
      await (await queued(InstanceControl)).cancel(options.tenant, instanceId);
      printInstance(await (await queued(InstancesService)).get(options.tenant, instanceId), options.json);
    });
  instances
    .command('retry <instanceId>')
    .description('run a failed instance again from the step that failed (needs REDIS_URL: a worker runs it)')
    .tenantOption()
    .jsonOption()
    .action(async (instanceId: string, options: TenantOptions) => {
      await (await queued(InstanceControl)).retry(options.tenant, instanceId);
      printInstance(await (await queued(InstancesService)).get(options.tenant, instanceId), options.json);
    });
}

function printInstance(instance: InstanceDetail, json = false): void {
  if (json) return printObject(instance, true);
  const { trace, ...rest } = instance;
  printObject(rest);
  process.stdout.write('timeline:\n');
  for (const entry of trace) {
    const result = entry.status === 'failed' ? entry.error : JSON.stringify(entry.output ?? null);
    process.stdout.write(`  ${entry.at ?? '-'}  ${entry.step}  ${entry.type}  ${entry.status}  ${entry.durationMs} ms  ${result}\n`);
  }
}
