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

  @Column({ name: 'received_at' })
  receivedAt: Date;

  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType: string;

  @Column({ type: 'simple-json' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  status: WebhookStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'record_ids', type: 'simple-json' })
  recordIds: string[];

  /** The processes the webhook was dispatched to; it is finished when each has a run. */
  @Column({ name: 'process_ids', type: 'simple-json', nullable: true })
  processIds: string[] | null;

  @Column({ name: 'processed_at', type: Date, nullable: true })
  processedAt: Date | null;
}
