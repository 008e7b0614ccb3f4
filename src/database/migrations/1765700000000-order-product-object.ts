import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default catalogue gained OrderProduct (an order's line items, for the shopify-order
 * process): tenants created before get it too, unless they have an object of that name already.
 * Written out here rather than read from default-catalogue.ts, which may change after.
 */
export class OrderProductObject1765700000000 implements MigrationInterface {
  name = 'OrderProductObject1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const p = (n: number) => (postgres ? `$${n}` : '?');
    const tenants: Array<{ id: string }> = await queryRunner.query(
      `SELECT t.id AS id FROM tenants t WHERE NOT EXISTS (SELECT 1 FROM catalogue_objects o WHERE o.tenant_id = t.id AND o.name = 'OrderProduct')`,
    );
    const columns: Array<[name: string, caption: string, type: string, required: boolean, lookup: string | null]> = [
      ['Id', 'Id', 'System.Guid', true, null],
      ['OrderId', 'Order', 'System.Guid', false, 'Order'],
      ['Name', 'Name', 'System.String', false, null],
      ['Quantity', 'Quantity', 'System.Int32', false, null],
      ['Price', 'Price', 'System.Decimal', false, null],
    ];
    for (const { id } of tenants) {
      await queryRunner.query(
        `INSERT INTO catalogue_objects (tenant_id, name, caption, form_id, in_webhook_lookup, display_column) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
        [id, 'OrderProduct', 'Order product', '8bfd51a2-23bc-4605-ae64-08a81ee453d7', postgres ? true : 1, 'Name'],
      );
      for (const [position, [name, caption, type, required, lookup]] of columns.entries()) {
        await queryRunner.query(
          `INSERT INTO catalogue_columns (tenant_id, object_name, name, caption, type, required, lookup_object, position) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)})`,
          [id, 'OrderProduct', name, caption, type, postgres ? required : Number(required), lookup, position],
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Kept: records of OrderProduct may exist by now.
    void queryRunner;
  }
}
