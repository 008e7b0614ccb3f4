import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/** User tasks: instances waiting at a wait-for-approval step, and what was decided on them. */
export class ApprovalTasks1765600000000 implements MigrationInterface {
  name = 'ApprovalTasks1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
    await queryRunner.createTable(
      new Table({
        name: 'approval_tasks',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('tenant_id', 36),
          text('instance_id', 36),
          text('process_id', 100),
          text('step', 300),
          text('title', 200),
          { name: 'details', type: 'text', isNullable: true },
          text('status', 16),
          { name: 'created_at', type: timestamp },
          { name: 'due_at', type: timestamp, isNullable: true },
          { name: 'decided_at', type: timestamp, isNullable: true },
          text('decided_by', 254, true),
          text('comment', 2000, true),
        ],
        indices: [
          // The inbox: a tenant's open (or decided) tasks, newest first.
          new TableIndex({ name: 'ix_approval_tasks_inbox', columnNames: ['tenant_id', 'status', 'created_at'] }),
          new TableIndex({ name: 'ix_approval_tasks_instance', columnNames: ['instance_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('approval_tasks');
  }
}
