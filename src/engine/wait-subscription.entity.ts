import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProcessSource } from './tenant-process.entity.js';

/**
 * A wait-for-webhook step some instance of a tenant has waited at: each webhook of the tenant
 * is given to the webhookKey expression of each (a few rows per tenant, whatever the number of
 * waiting instances). Removed by the sweeper once no instance waits there.
 */
@Entity('wait_subscriptions')
export class WaitSubscription {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  @Column({ name: 'process_version', type: 'integer' })
  processVersion: number;

  @Column({ type: 'varchar', length: 16 })
  source: ProcessSource;

  @Column({ name: 'step_id', type: 'varchar', length: 100 })
  stepId: string;

  /** The last time an instance parked here: the sweeper forgets a subscription only long after. */
  @Column({ name: 'touched_at' })
  touchedAt: Date;
}
