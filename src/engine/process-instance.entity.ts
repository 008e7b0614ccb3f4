import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { InstanceState, InstanceStatus, InstanceTrigger, Resumption, Wait } from './instance-state.js';
import type { TraceEntry } from './step-type.js';
import type { ProcessSource } from './tenant-process.entity.js';

/**
 * One process instance: one execution of one process version, started by a webhook or a
 * schedule. Most end
 * in the job that started them (completed, skipped, failed) and are written once; one that
 * waits keeps its state here until it is resumed, and this row is the only record of it (Redis
 * holds its timer, which the sweeper re-arms from here).
 */
@Entity('process_instances')
export class ProcessInstance {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** The webhook that started it; null for an instance a schedule started (see `trigger`). */
  @Column({ name: 'webhook_id', type: 'varchar', length: 36, nullable: true })
  webhookId: string | null;

  /** What started an instance no webhook started: `{ type: 'schedule', at }`. */
  @Column({ type: 'simple-json', nullable: true })
  trigger: InstanceTrigger | null;

  /** The `$` of an instance no webhook started (a webhook's is in the webhook log). */
  @Column({ type: 'simple-json', nullable: true })
  payload: Record<string, unknown> | null;

  @Column({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  @Column({ name: 'process_version', type: 'integer' })
  processVersion: number;

  /** Where that version is (base, override, custom): with the number, what a resumption runs. Null in runs stored before instances. */
  @Column({ name: 'process_source', type: 'varchar', length: 16, nullable: true })
  processSource: ProcessSource | null;

  @Column({ type: 'varchar', length: 16 })
  status: InstanceStatus;

  @Column({ name: 'error_code', type: 'varchar', length: 32, nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'simple-json' })
  trace: TraceEntry[];

  @Column({ name: 'record_ids', type: 'simple-json' })
  recordIds: string[];

  @Column({ name: 'started_at' })
  startedAt: Date;

  /** Null while the instance waits or runs. */
  @Column({ name: 'finished_at', type: Date, nullable: true })
  finishedAt: Date | null;

  /**
   * Bumped by every claim (a resumption, a cancel, a retry): jobs and timers carry the value
   * they were made for, so a stale one finds a different number and does nothing.
   */
  @Column({ type: 'integer', default: 0 })
  seq: number;

  /** What a resumption needs (variables, outputs, the steps done); kept while it waits and after it failed. */
  @Column({ type: 'simple-json', nullable: true })
  state: InstanceState | null;

  /** What the instance waits for, while it waits. */
  @Column({ type: 'simple-json', nullable: true })
  waits: Wait[] | null;

  /** The earliest time a wait of it is due (a timer, a timeout). */
  @Column({ name: 'wake_at', type: Date, nullable: true })
  wakeAt: Date | null;

  /** How the waits were resolved by the claim that made the instance run again. */
  @Column({ type: 'simple-json', nullable: true })
  resumption: Resumption | null;

  /** The webhook whose correlation key resumed the instance last. */
  @Column({ name: 'resumed_by', type: 'varchar', length: 36, nullable: true })
  resumedBy: string | null;

  @Column({ name: 'updated_at', type: Date, nullable: true })
  updatedAt: Date | null;
}
