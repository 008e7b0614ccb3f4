import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, LessThan, MoreThan, Repository } from 'typeorm';
import { ConsoleSession } from './console-session.entity.js';
import { SignInFailure } from './sign-in-failure.entity.js';

@Injectable()
export class SessionsRepository {
  private readonly sessions: Repository<ConsoleSession>;
  private readonly failures: Repository<SignInFailure>;

  constructor(dataSource: DataSource) {
    this.sessions = dataSource.getRepository(ConsoleSession);
    this.failures = dataSource.getRepository(SignInFailure);
  }

  async insert(session: ConsoleSession): Promise<void> {
    await this.sessions.insert(session as never);
  }

  findValid(tokenHash: string, now: Date): Promise<ConsoleSession | null> {
    return this.sessions.findOneBy({ tokenHash, expiresAt: MoreThan(now) });
  }

  async delete(tokenHash: string): Promise<void> {
    await this.sessions.delete({ tokenHash });
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.sessions.delete({ expiresAt: LessThan(now) });
  }

  async addFailures(subjects: string[], at: Date): Promise<void> {
    await this.failures.insert(subjects.map((subject) => ({ id: randomUUID(), subject, failedAt: at })) as never);
  }

  countFailures(subject: string, since: Date): Promise<number> {
    return this.failures.countBy({ subject, failedAt: MoreThan(since) });
  }

  /** The earliest failure of the window: the limit lifts when it leaves the window. */
  async oldestFailure(subject: string, since: Date): Promise<Date | null> {
    const oldest = await this.failures.findOne({ where: { subject, failedAt: MoreThan(since) }, order: { failedAt: 'ASC' } });
    return oldest ? new Date(oldest.failedAt) : null;
  }

  async clearFailures(subject: string): Promise<void> {
    await this.failures.delete({ subject });
  }

  async deleteFailuresBefore(before: Date): Promise<void> {
    await this.failures.delete({ failedAt: LessThan(before) });
  }
}
