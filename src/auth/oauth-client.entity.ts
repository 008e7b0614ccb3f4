import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ClientKind = 'platform' | 'tenant';

/** A client of the admin API (OAuth 2.0 client credentials). The secret is stored as a scrypt hash. */
@Entity('oauth_clients')
export class OAuthClient {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 100 })
  clientId: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 200 })
  secretHash: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ClientKind;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId: string | null;

  @Column({ type: 'simple-json' })
  scopes: string[];

  @Column({ name: 'created_at' })
  createdAt: Date;

  /** Goes up at each rotation; a token of an older generation is refused. */
  @Column({ type: 'integer', default: 1 })
  generation: number;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt: Date | null;
}
