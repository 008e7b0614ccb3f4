import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProcessDefinition } from './definition-types.js';

/** One saved version of a tenant's override or custom process. Versions are never changed. */
@Entity('process_versions')
export class ProcessVersion {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  @PrimaryColumn({ type: 'integer' })
  version: number;

  @Column({ type: 'simple-json' })
  definition: ProcessDefinition;

  /**
   * For an override: the version of the base definition it was made from, and that definition,
   * which is no longer in processes/ once a release ships the next one. Null for a custom process.
   */
  @Column({ name: 'base_version', type: 'integer', nullable: true })
  baseVersion: number | null;

  @Column({ name: 'base_definition', type: 'simple-json', nullable: true })
  baseDefinition: ProcessDefinition | null;

  /** Why this version exists, e.g. "rollback to version 2". */
  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;
}
