import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A record of any catalogue object. Column values live in one JSON document so a tenant can
 * add objects and columns without a schema change.
 */
@Entity('records')
export class RecordEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'object_name', type: 'varchar', length: 64 })
  objectName: string;

  @Column({ type: 'simple-json' })
  data: Record<string, unknown>;

  @Column({ name: 'created_on' })
  createdOn: Date;

  @Column({ name: 'modified_on' })
  modifiedOn: Date;

  /**
   * Who wrote it (webhook + process + step). Unique per tenant, so a retried run finds its
   * earlier record instead of writing a second one.
   */
  @Column({ name: 'source_key', type: 'varchar', length: 200, nullable: true })
  sourceKey: string | null;

  /**
   * For a record an upsert created: its key column and a hash of the key value (normalised as
   * the upsert compares it). Unique per tenant and object, so of two upserts that create the
   * same key at once one insert is ignored and its run updates the other's record.
   */
  @Column({ name: 'upsert_column', type: 'varchar', length: 64, nullable: true })
  upsertColumn: string | null;

  @Column({ name: 'upsert_key', type: 'varchar', length: 64, nullable: true })
  upsertKey: string | null;
}
