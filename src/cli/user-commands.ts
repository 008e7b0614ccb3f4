import { randomBytes } from 'node:crypto';
import { TENANT_ROLES } from '../auth/console-user-role.entity.js';
import { UsersService } from '../auth/users.service.js';
import { type CliCommand, type CliServices, type JsonOptions, type TenantOptions, printList, printObject, readStdin } from './common.js';

interface CreateUserOptions extends JsonOptions {
  passwordStdin?: boolean;
  tenant?: string;
  role: string;
  platformAdmin?: boolean;
}

/** `hookflow user …`: the people who sign in to the web console. */
export function addUserCommands(program: CliCommand, { get }: CliServices): void {
  const user = program.command('user').description('web console users: people with a role per tenant, or platform admins');
  user
    .command('create <email>')
    .description('create a console user; without --password-stdin a password is generated and shown once')
    .option('--password-stdin', 'read the password from standard input (it never appears in the process list)')
    .option('--tenant <tenantId>', 'give a role on this tenant')
    .option('--role <role>', `role on --tenant: ${TENANT_ROLES.join(' or ')}`, 'analyst')
    .option('--platform-admin', 'may do everything on every tenant')
    .jsonOption()
    .action(async (email: string, options: CreateUserOptions) => {
      const generated = options.passwordStdin ? null : randomBytes(15).toString('base64url');
      const password = generated ?? (await readStdin());
      const users = await get(UsersService);
      const created = await users.create(email, password, { platformAdmin: options.platformAdmin, tenantId: options.tenant, role: options.role });
      printObject(generated ? { ...created, password: generated } : created, options.json);
    });
  user
    .command('list')
    .jsonOption()
    .action(async (options: JsonOptions) => {
      const users = await (await get(UsersService)).list();
      if (options.json) return printList(users, true);
      printList(
        users.map((entry) => ({ ...entry, roles: entry.roles.map((role) => `${role.role}@${role.tenantId}`).join(' ') })),
        options.json,
        ['id', 'email', 'platformAdmin', 'roles', 'createdAt'],
      );
    });
  user
    .command('grant <email>')
    .description('give the user a role on a tenant (replaces its role there)')
    .tenantOption()
    .requiredOption('--role <role>', TENANT_ROLES.join(' or '))
    .jsonOption()
    .action(async (email: string, options: TenantOptions & { role: string }) => {
      printObject(await (await get(UsersService)).grant(email, options.tenant, options.role), options.json);
    });
  user
    .command('revoke <email>')
    .description("take away the user's role on a tenant")
    .tenantOption()
    .jsonOption()
    .action(async (email: string, options: TenantOptions) => {
      printObject(await (await get(UsersService)).revoke(email, options.tenant), options.json);
    });
  user
    .command('password <email>')
    .description('set a new password, read from standard input')
    .jsonOption()
    .action(async (email: string, options: JsonOptions) => {
      await (await get(UsersService)).setPassword(email, await readStdin());
      printObject({ email, passwordChanged: true }, options.json);
    });
  user
    .command('delete <email>')
    .description('delete the user; its sessions end at once')
    .jsonOption()
    .action(async (email: string, options: JsonOptions) => {
      await (await get(UsersService)).delete(email);
      printObject({ email, deleted: true }, options.json);
    });
}
