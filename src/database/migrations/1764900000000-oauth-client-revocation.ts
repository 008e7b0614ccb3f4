import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** OAuth clients can be rotated (a new generation: older tokens are refused) and revoked. */
export class OAuthClientRevocation1764900000000 implements MigrationInterface {
  name = 'OAuthClientRevocation1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.addColumns('oauth_clients', [
      new TableColumn({ name: 'generation', type: 'integer', default: 1 }),
      new TableColumn({ name: 'revoked_at', type: timestamp, isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'revoked_at');
    await queryRunner.dropColumn('oauth_clients', 'generation');
  }
}
