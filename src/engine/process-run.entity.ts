import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RunStatus } from './process-runner.js';
import type { TraceEntry } from './step-type.js';

/** One execution of one process for one webhook, with the trace of its steps. */
@Entity('process_runs')
export class ProcessRun {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'webhook_id', type: 'varchar', length: 36 })
  webhookId: string;

  @Column({ name: 'process_id', type: 'varchar', length: 100 })
  processId: string;

  @Column({ name: 'process_version', type: 'integer' })
  processVersion: number;

  @Column({ type: 'varchar', length: 16 })
  status: RunStatus;

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

  @Column({ name: 'finished_at' })
  finishedAt: Date;
}
