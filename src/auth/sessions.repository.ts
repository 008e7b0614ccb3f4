import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, LessThan, MoreThan, Not, Repository } from 'typeorm';
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

  /** Counts an attempt before its password is checked; answers the row's id. */
  async addAttempt(subject: string, at: Date): Promise<string> {
    const id = randomUUID();
    await this.failures.insert({ id, subject, failedAt: at } as never);
    return id;
  }

  countAttempts(subject: string, since: Date): Promise<number> {
    return this.failures.countBy({ subject, failedAt: MoreThan(since) });
  }

  /** The latest attempt of the window other than the given one: the delay runs from it. */
  async latestOtherAttempt(subject: string, since: Date, exceptId: string): Promise<Date | null> {
    const latest = await this.failures.findOne({ where: { subject, failedAt: MoreThan(since), id: Not(exceptId) }, order: { failedAt: 'DESC' } });
    return latest ? new Date(latest.failedAt) : null;
  }

  async deleteAttempt(id: string): Promise<void> {
    await this.failures.delete({ id });
  }

  async clearFailures(subject: string): Promise<void> {
    await this.failures.delete({ subject });
  }

  async deleteFailuresBefore(before: Date): Promise<void> {
    await this.failures.delete({ failedAt: LessThan(before) });
  }
}
