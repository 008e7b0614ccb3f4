import { ConfigError } from '../config/config.js';
import { MAX_TASK_COMMENT, TASK_STATUSES, type TaskStatus } from '../engine/approval-task.entity.js';
import { TasksService, type TaskView } from '../engine/tasks.service.js';
import { ApprovalTasks, type Decision } from '../pipeline/approval-tasks.service.js';
import { type CliCommand, type CliServices, type TenantOptions, printList, printObject, wholeNumber } from './common.js';

type DecisionOptions = TenantOptions & { by: string; comment?: string };

/** `hookflow tasks …`: the user tasks of wait-for-approval steps, and approving or rejecting one. */
export function addTasksCommands(program: CliCommand, { get, queued }: CliServices): void {
  const tasks = program.command('tasks').description('user tasks (wait-for-approval): the inbox, approve, reject');
  tasks
    .command('list')
    .tenantOption()
    .option('--status <status>', `only tasks with this status (${TASK_STATUSES.join(', ')})`, 'open')
    .option('--process <processId>', 'only tasks of this process')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .jsonOption()
    .action(async (options: TenantOptions & { status: string; process?: string; limit: string }) => {
      if (!TASK_STATUSES.includes(options.status as TaskStatus)) {
        throw new ConfigError(`--status: "${options.status}" is not one of ${TASK_STATUSES.join(', ')}`);
      }
      const filter = { status: options.status as TaskStatus, processId: options.process };
      const list = await (await get(TasksService)).list(options.tenant, filter, wholeNumber(options.limit, '--limit'));
      printList(list, options.json, ['id', 'title', 'processId', 'instanceId', 'status', 'createdAt', 'dueAt', 'decidedBy']);
    });
  tasks
    .command('show <taskId>')
    .description('one task: its title, what it asks to decide on, the decision')
    .tenantOption()
    .jsonOption()
    .action(async (taskId: string, options: TenantOptions) => {
      printObject(await (await get(TasksService)).get(options.tenant, taskId), options.json);
    });
  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    tasks
      .command(`${verb} <taskId>`)
      .description(`${verb} an open task: its instance runs on with the decision (needs REDIS_URL: a worker runs it)`)
      .tenantOption()
      .requiredOption('--by <name>', 'who decides, as the step output names them (e.g. an e-mail address)')
      .option('--comment <text>', `why (at most ${MAX_TASK_COMMENT} characters)`)
      .jsonOption()
      .action(async (taskId: string, options: DecisionOptions) => {
        printObject(await decide(await queued(ApprovalTasks), taskId, decision, options), options.json);
      });
  }
}

function decide(approvals: ApprovalTasks, taskId: string, decision: Decision, options: DecisionOptions): Promise<TaskView> {
  const comment = options.comment?.trim() || null;
  const by = options.by.trim();
  if (!by || by.length > 254) throw new ConfigError('--by: a name of 1 to 254 characters');
  return approvals.decide(options.tenant, taskId, decision, by, comment);
}
