import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ReplayStatus = 'running' | 'completed';

/** What a bulk replay replays: the log's filter, frozen at its start (`to` is never later than it). */
export interface ReplayFilter {
  status: 'received' | 'failed';
  from?: string;
  to: string;
  processId?: string;
  apiKeyId?: string;
}

/** A bulk replay of a tenant's webhooks, run in the background batch by batch, with its progress. */
@Entity('replays')
export class Replay {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ type: 'varchar', length: 16 })
  status: ReplayStatus;

  @Column({ type: 'simple-json' })
  filter: ReplayFilter;

  /** How many webhooks matched when it started (at most its limit). */
  @Column({ type: 'integer' })
  total: number;

  /** Webhooks queued again so far. */
  @Column({ type: 'integer' })
  done: number;

  /** Webhooks that could not be replayed (the reason of the last is kept). */
  @Column({ type: 'integer' })
  failed: number;

  /** Where the next batch starts in the log (a log cursor); null before the first. */
  @Column({ type: 'text', nullable: true })
  cursor: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: Date, nullable: true })
  finishedAt: Date | null;
}
