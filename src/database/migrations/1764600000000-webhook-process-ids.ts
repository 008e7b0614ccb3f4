import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Each process of a webhook runs as its own job; the webhook remembers which it was dispatched to. */
export class WebhookProcessIds1764600000000 implements MigrationInterface {
  name = 'WebhookProcessIds1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('webhooks', new TableColumn({ name: 'process_ids', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhooks', 'process_ids');
  }
}
