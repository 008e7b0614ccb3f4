import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One parameter name a key's webhooks have carried, and how often a process mapped it. */
@Entity('parameter_stats')
export class ParameterStat {
  @PrimaryColumn({ name: 'api_key_id', type: 'varchar', length: 36 })
  apiKeyId: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'first_seen_at' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at' })
  lastSeenAt: Date;

  @Column({ name: 'seen_count', type: 'integer' })
  seenCount: number;

  @Column({ name: 'mapped_count', type: 'integer' })
  mappedCount: number;

  /** The key's webhook count (ParameterWatch.webhooksSeen) when this parameter was last seen. */
  @Column({ name: 'last_seen_webhook', type: 'integer' })
  lastSeenWebhook: number;
}

/** How many webhooks of a key have been observed: the clock that tells a parameter has gone missing. */
@Entity('parameter_watches')
export class ParameterWatch {
  @PrimaryColumn({ name: 'api_key_id', type: 'varchar', length: 36 })
  apiKeyId: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'webhooks_seen', type: 'integer' })
  webhooksSeen: number;
}
