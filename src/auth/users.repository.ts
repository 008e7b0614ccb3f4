import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { ConsoleUserRole } from './console-user-role.entity.js';
import { ConsoleUser } from './console-user.entity.js';

@Injectable()
export class UsersRepository {
  private readonly users: Repository<ConsoleUser>;
  private readonly roles: Repository<ConsoleUserRole>;

  constructor(private readonly dataSource: DataSource) {
    this.users = dataSource.getRepository(ConsoleUser);
    this.roles = dataSource.getRepository(ConsoleUserRole);
  }

  async insert(user: ConsoleUser): Promise<void> {
    await this.users.insert(user as never);
  }

  findByEmail(email: string): Promise<ConsoleUser | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<ConsoleUser | null> {
    return this.users.findOneBy({ id });
  }

  list(): Promise<ConsoleUser[]> {
    return this.users.find({ order: { email: 'ASC' } });
  }

  rolesOf(userIds: string[]): Promise<ConsoleUserRole[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.roles.createQueryBuilder('role').where('role.user_id IN (:...userIds)', { userIds }).getMany();
  }

  async setRole(role: ConsoleUserRole): Promise<void> {
    await this.roles.upsert(role as never, ['userId', 'tenantId']);
  }

  async removeRole(userId: string, tenantId: string): Promise<boolean> {
    return ((await this.roles.delete({ userId, tenantId })).affected ?? 0) > 0;
  }

  /** A new password ends every session of the user: whoever knew the old one is signed out. */
  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.update(ConsoleUser, { id }, { passwordHash });
      await manager.createQueryBuilder().delete().from('console_sessions').where('user_id = :id', { id }).execute();
    });
  }

  /** The user, its roles and its sessions go together (no dangling sessions sign anyone in). */
  async delete(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(ConsoleUserRole, { userId: id });
      await manager.createQueryBuilder().delete().from('console_sessions').where('user_id = :id', { id }).execute();
      await manager.delete(ConsoleUser, { id });
    });
  }
}
