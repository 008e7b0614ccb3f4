import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A secret of a tenant that its processes reference by name (`{"secret": "crm"}`), such as an
 * OAuth client secret or an API token of another system. Write-only: the value is sealed by
 * SecretBox and only the engine opens it, when a step sends it.
 */
@Entity('tenant_secrets')
export class TenantSecret {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ name: 'sealed_value', type: 'text' })
  sealedValue: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}
