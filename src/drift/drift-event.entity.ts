import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DRIFT_KINDS = ['new-unmapped', 'missing-mapped'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/**
 * A change in what a sender sends: a parameter that started to arrive and no process maps
 * (`new-unmapped`), or one that processes used to map and stopped arriving (`missing-mapped`).
 * Open until the change is undone (resolvedAt).
 */
@Entity('drift_events')
export class DriftEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'api_key_id', type: 'varchar', length: 36 })
  apiKeyId: string;

  @Column({ type: 'varchar', length: 200 })
  parameter: string;

  @Column({ type: 'varchar', length: 16 })
  kind: DriftKind;

  /** new-unmapped: when it first arrived; missing-mapped: when it was last seen. */
  @Column({ name: 'first_seen_at' })
  firstSeenAt: Date;

  /** Webhooks that carried it (new-unmapped) or that lacked it (missing-mapped). */
  @Column({ type: 'integer' })
  count: number;

  @Column({ name: 'detected_at' })
  detectedAt: Date;

  @Column({ name: 'resolved_at', type: Date, nullable: true })
  resolvedAt: Date | null;
}
