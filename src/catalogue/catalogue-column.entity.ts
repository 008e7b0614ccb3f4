import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ColumnType } from './column-types/index.js';

@Entity('catalogue_columns')
export class CatalogueColumn {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ name: 'object_name', type: 'varchar', length: 64 })
  objectName: string;

  /** The column code: the parameter name a webhook uses and the key in the record. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 200 })
  caption: string;

  @Column({ type: 'varchar', length: 32 })
  type: ColumnType;

  @Column({ type: 'boolean' })
  required: boolean;

  /** For lookup columns (type System.Guid): the object whose records the value references. */
  @Column({ name: 'lookup_object', type: 'varchar', length: 64, nullable: true })
  lookupObject: string | null;

  @Column({ type: 'integer' })
  position: number;
}
