import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An object of a tenant's catalogue (Contact, Lead, Country…). */
@Entity('catalogue_objects')
export class CatalogueObject {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 200 })
  caption: string;

  /** Identifies the object to form tools in get_entities (the reference protocol's formId). */
  @Column({ name: 'form_id', type: 'varchar', length: 36 })
  formId: string;

  /** Listed in the Webhook entities lookup: webhooks may create records of it. */
  @Column({ name: 'in_webhook_lookup', type: 'boolean' })
  inWebhookLookup: boolean;

  /** The column people know a record by (a Country by its Name). */
  @Column({ name: 'display_column', type: 'varchar', length: 64 })
  displayColumn: string;
}
