import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WebhookStatus = 'queued' | 'processed' | 'received' | 'failed';

/** One entry of a tenant's webhook log: what arrived and what became of it. */
@Entity('webhooks')
export class Webhook {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'api_key_id', type: 'varchar', length: 36 })
  apiKeyId: string;

  /** The key's name when the webhook arrived, which process triggers may name. */
  @Column({ name: 'api_key_name', type: 'varchar', length: 200 })
  apiKeyName: string;

  @Column({ name: 'received_at' })
  receivedAt: Date;

  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType: string;

  /** The request headers that are safe to show (no credentials, cookies or signatures). */
  @Column({ type: 'simple-json', nullable: true })
  headers: Record<string, string> | null;

  @Column({ type: 'simple-json' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  status: WebhookStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'record_ids', type: 'simple-json' })
  recordIds: string[];

  /** The runs the webhook was last dispatched to; it is finished when each has been stored. */
  @Column({ name: 'run_ids', type: 'simple-json', nullable: true })
  runIds: string[] | null;

  /** The waiting process instances this webhook resumed (wait-for-webhook), when any. */
  @Column({ name: 'resumed_ids', type: 'simple-json', nullable: true })
  resumedIds: string[] | null;

  @Column({ name: 'processed_at', type: Date, nullable: true })
  processedAt: Date | null;

  /** While queued after a failed attempt: when the next attempt is (meaningless once finished). */
  @Column({ name: 'next_attempt_at', type: Date, nullable: true })
  nextAttemptAt: Date | null;
}
