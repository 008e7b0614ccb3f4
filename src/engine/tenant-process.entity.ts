import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ProcessSource = 'base' | 'override' | 'custom';

/**
 * A tenant's setting for one process: switched on or off, and which of its stored versions
 * runs (none for a base process that is not overridden). Absent means the base definition
 * with its activeByDefault.
 */
@Entity('tenant_processes')
export class TenantProcess {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'varchar', length: 16 })
  source: ProcessSource;

  @Column({ type: 'integer', nullable: true })
  version: number | null;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}
