import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hashSecret, verifySecret } from './secret-hash.js';
import { SCOPES } from './scopes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { TENANT_ROLES, type TenantRole } from './console-user-role.entity.js';
import { ConsoleUser } from './console-user.entity.js';
import { UsersRepository } from './users.repository.js';

export interface UserView {
  id: string;
  email: string;
  platformAdmin: boolean;
  roles: Array<{ tenantId: string; role: TenantRole }>;
  createdAt: string;
}

export const MIN_PASSWORD_LENGTH = 10;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** What each role may do on a tenant, in the scopes of the admin API. */
export const ROLE_SCOPES: Record<TenantRole, string[]> = {
  analyst: [...SCOPES],
  viewer: SCOPES.filter((scope) => scope.endsWith(':read')),
};

/** Console users: people with a password, a role per tenant, or the platform-admin role. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tenants: TenantsService,
  ) {}

  /** A new user; with a tenant, its role there (checked before anything is stored). */
  async create(email: string, password: string, options: { platformAdmin?: boolean; tenantId?: string; role?: string } = {}): Promise<UserView> {
    const normalized = normalizeEmail(email);
    if (!EMAIL.test(normalized) || normalized.length > 254) throw new AppError(ErrorCode.InvalidArgument, `"${email}" is not an email address`);
    checkPassword(password);
    if (options.tenantId) {
      checkRole(options.role ?? 'analyst');
      await this.tenants.get(options.tenantId);
    }
    if (await this.users.findByEmail(normalized)) throw new AppError(ErrorCode.Conflict, `A user with the email ${normalized} exists already`);
    const user = Object.assign(new ConsoleUser(), {
      id: randomUUID(),
      email: normalized,
      passwordHash: await hashSecret(password),
      platformAdmin: options.platformAdmin ?? false,
      createdAt: new Date(),
    });
    await this.users.insert(user);
    if (options.tenantId) await this.users.setRole({ userId: user.id, tenantId: options.tenantId, role: (options.role ?? 'analyst') as TenantRole });
    return this.view(user);
  }

  async list(): Promise<UserView[]> {
    const users = await this.users.list();
    const roles = await this.users.rolesOf(users.map((user) => user.id));
    return users.map((user) =>
      toView(
        user,
        roles.filter((role) => role.userId === user.id),
      ),
    );
  }

  async grant(emailOrId: string, tenantId: string, role: string): Promise<UserView> {
    const user = await this.find(emailOrId);
    checkRole(role);
    await this.tenants.get(tenantId);
    await this.users.setRole({ userId: user.id, tenantId, role: role as TenantRole });
    return this.view(user);
  }

  async revoke(emailOrId: string, tenantId: string): Promise<UserView> {
    const user = await this.find(emailOrId);
    if (!(await this.users.removeRole(user.id, tenantId))) {
      throw new AppError(ErrorCode.NotFound, `${user.email} has no role on tenant ${tenantId}`);
    }
    return this.view(user);
  }

  async setPassword(emailOrId: string, password: string): Promise<void> {
    const user = await this.find(emailOrId);
    checkPassword(password);
    await this.users.setPassword(user.id, await hashSecret(password));
  }

  async delete(emailOrId: string): Promise<void> {
    const user = await this.find(emailOrId);
    await this.users.delete(user.id);
  }

  /**
   * The user whose email and password these are, or null. An unknown email costs the same slow
   * hash as a wrong password, so timing does not tell which emails exist.
   */
  async verify(email: string, password: string): Promise<ConsoleUser | null> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    if (!user) {
      await hashSecret(password);
      return null;
    }
    return (await verifySecret(password, user.passwordHash)) ? user : null;
  }

  /** Scopes per tenant of a user, from its roles; 'platform' for a platform admin. */
  async access(userId: string): Promise<{ user: ConsoleUser; platform: boolean; tenantScopes: Record<string, string[]> } | null> {
    const user = await this.users.findById(userId);
    if (!user) return null;
    const tenantScopes: Record<string, string[]> = {};
    for (const role of await this.users.rolesOf([user.id])) tenantScopes[role.tenantId] = ROLE_SCOPES[role.role] ?? [];
    return { user, platform: user.platformAdmin, tenantScopes };
  }

  private async find(emailOrId: string): Promise<ConsoleUser> {
    const user = emailOrId.includes('@') ? await this.users.findByEmail(normalizeEmail(emailOrId)) : await this.users.findById(emailOrId);
    if (!user) throw new AppError(ErrorCode.NotFound, `No console user ${emailOrId}`);
    return user;
  }

  private async view(user: ConsoleUser): Promise<UserView> {
    return toView(user, await this.users.rolesOf([user.id]));
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkRole(role: string): void {
  if (role === 'platform-admin') {
    throw new AppError(ErrorCode.InvalidArgument, 'platform-admin is not a tenant role: create the user with --platform-admin');
  }
  if (!(TENANT_ROLES as readonly string[]).includes(role)) {
    throw new AppError(ErrorCode.InvalidArgument, `Unknown role "${role}" (known: ${TENANT_ROLES.join(', ')})`);
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(ErrorCode.InvalidArgument, `The password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1000) throw new AppError(ErrorCode.InvalidArgument, 'The password must be at most 1000 characters');
}

function toView(user: ConsoleUser, roles: Array<{ tenantId: string; role: TenantRole }>): UserView {
  return {
    id: user.id,
    email: user.email,
    platformAdmin: Boolean(user.platformAdmin),
    roles: roles.map(({ tenantId, role }) => ({ tenantId, role })),
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
