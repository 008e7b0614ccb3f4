import { Column, Entity, PrimaryColumn } from 'typeorm';

export const TASK_STATUSES = ['open', 'approved', 'rejected', 'timed-out', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** The longest comment a decision keeps (the column's length). */
export const MAX_TASK_COMMENT = 2000;

/**
 * A user task: an instance waiting at a wait-for-approval step until someone approves or
 * rejects it (the console's Tasks inbox, the admin API, the CLI). The row outlives the wait, so
 * the inbox also shows who decided what. Its id derives from the instance and the step path.
 */
@Entity('approval_tasks')
export class ApprovalTask {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'instance_id', type: 'varchar', length: 36 })
  instanceId: string;

  @Column({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  /** The step path the instance waits at (with loop indexes). */
  @Column({ type: 'varchar', length: 300 })
  step: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  /** What the step's `details` expression gave: what the approver decides on. */
  @Column({ type: 'simple-json', nullable: true })
  details: unknown;

  @Column({ type: 'varchar', length: 16 })
  status: TaskStatus;

  @Column({ name: 'created_at' })
  createdAt: Date;

  /** When it times out (the step's timeout, or WAIT_MAX_DAYS). */
  @Column({ name: 'due_at', type: Date, nullable: true })
  dueAt: Date | null;

  @Column({ name: 'decided_at', type: Date, nullable: true })
  decidedAt: Date | null;

  /** Who decided: a console user's e-mail, an OAuth client's id, or the CLI's --by. */
  @Column({ name: 'decided_by', type: 'varchar', length: 254, nullable: true })
  decidedBy: string | null;

  @Column({ type: 'varchar', length: MAX_TASK_COMMENT, nullable: true })
  comment: string | null;
}
