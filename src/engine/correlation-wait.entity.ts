import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One instance waiting at one wait-for-webhook step for one key. A webhook finds the instances
 * it resumes by (tenant, subscription, key): an index lookup, however many instances wait.
 */
@Entity('correlation_waits')
export class CorrelationWait {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** The WaitSubscription: which step of which process version computes a webhook's key. */
  @Column({ type: 'varchar', length: 64 })
  subscription: string;

  @Column({ name: 'correlation_key', type: 'varchar', length: 200 })
  correlationKey: string;

  @Column({ name: 'instance_id', type: 'varchar', length: 36 })
  instanceId: string;

  /** The instance's seq when it parked: a claim for an older wait finds a different number. */
  @Column({ name: 'instance_seq', type: 'integer' })
  instanceSeq: number;

  /** The step path the instance waits at. */
  @Column({ type: 'varchar', length: 300 })
  step: string;

  @Column({ name: 'created_at' })
  createdAt: Date;
}
