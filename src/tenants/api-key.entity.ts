import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One webhook source of a tenant. The key itself is never stored, only its SHA-256. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** The first characters of the key, so people can tell keys apart without the secret. */
  @Column({ name: 'key_prefix', type: 'varchar', length: 16 })
  keyPrefix: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt: Date | null;

  /** After a rotation, the old key keeps working until previousValidUntil. */
  @Column({ name: 'previous_key_hash', type: 'varchar', length: 64, nullable: true })
  previousKeyHash: string | null;

  @Column({ name: 'previous_valid_until', type: Date, nullable: true })
  previousValidUntil: Date | null;

  /** How the source signs its webhooks (JSON of a SignatureConfig whose secret is sealed by SecretBox). */
  @Column({ type: 'text', nullable: true })
  signature: string | null;

  /** Webhooks per minute this key may send (null: its tenant's limit, then RATE_LIMIT_PER_MINUTE). */
  @Column({ name: 'rate_limit_per_minute', type: 'integer', nullable: true })
  rateLimitPerMinute: number | null;

  /** Updated at most once a minute per key and API process. */
  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt: Date | null;
}
