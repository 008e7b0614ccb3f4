import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { StatementBatcher } from '../database/statement-batcher.js';
import { CorrelationWait } from './correlation-wait.entity.js';
import { WaitSubscription } from './wait-subscription.entity.js';

/** The correlation keys of waiting instances, and the steps they wait at per tenant. */
@Injectable()
export class CorrelationRepository {
  private readonly waits: Repository<CorrelationWait>;
  private readonly subscriptions: Repository<WaitSubscription>;

  // Every webhook asks for its tenant's subscriptions: those of concurrent jobs go in one query.
  private readonly subscriptionReads = new StatementBatcher<string, WaitSubscription[]>(
    async (tenantIds) => {
      const rows = await this.subscriptions.findBy({ tenantId: In([...new Set(tenantIds)]) });
      return tenantIds.map((tenantId) => rows.filter((row) => row.tenantId === tenantId));
    },
    (tenantId) => this.subscriptions.findBy({ tenantId }),
  );

  constructor(dataSource: DataSource) {
    this.waits = dataSource.getRepository(CorrelationWait);
    this.subscriptions = dataSource.getRepository(WaitSubscription);
  }

  /** Idempotent: ids derive from the instance, its seq and the step, so a repeated park adds nothing. */
  async add(subscriptions: WaitSubscription[], waits: CorrelationWait[]): Promise<void> {
    if (subscriptions.length > 0) {
      await this.subscriptions
        .createQueryBuilder()
        .insert()
        .into(WaitSubscription)
        .values(subscriptions as QueryDeepPartialEntity<WaitSubscription>[])
        .orUpdate(['touched_at'], ['tenant_id', 'id'])
        .execute();
    }
    if (waits.length > 0) {
      await this.waits
        .createQueryBuilder()
        .insert()
        .into(CorrelationWait)
        .values(waits as QueryDeepPartialEntity<CorrelationWait>[])
        .orIgnore()
        .execute();
    }
  }

  /** The steps of the tenant's processes that instances wait at for webhooks. */
  subscriptionsOf(tenantId: string): Promise<WaitSubscription[]> {
    return this.subscriptionReads.send(tenantId);
  }

  /** The instances waiting at a step for a key, the longest waiting first (an index range). */
  waiting(tenantId: string, subscription: string, correlationKey: string, limit: number): Promise<CorrelationWait[]> {
    return this.waits.find({ where: { tenantId, subscription, correlationKey }, order: { createdAt: 'ASC', id: 'ASC' }, take: limit });
  }

  async remove(id: string): Promise<void> {
    await this.waits.delete({ id });
  }

  async removeForInstance(instanceId: string): Promise<void> {
    await this.waits.delete({ instanceId });
  }

  /**
   * Forgets subscriptions no instance waits at any more and none parked at since a time (an
   * instance parking now writes its subscription before its wait: the grace keeps it).
   */
  async pruneSubscriptions(untouchedSince: Date): Promise<number> {
    const result = await this.subscriptions
      .createQueryBuilder()
      .delete()
      .where('touched_at < :untouchedSince', { untouchedSince })
      .andWhere('NOT EXISTS (SELECT 1 FROM correlation_waits w WHERE w.tenant_id = wait_subscriptions.tenant_id AND w.subscription = wait_subscriptions.id)')
      .execute();
    return result.affected ?? 0;
  }
}
