import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant's choice for one process; absent means the definition's activeByDefault. */
@Entity('tenant_processes')
export class TenantProcess {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}
