import { Injectable } from '@nestjs/common';
import type { ProcessRun } from './process-run.entity.js';
import type { RunStatus } from './process-runner.js';
import { ProcessRunsRepository } from './process-runs.repository.js';

export type RunView = Omit<ProcessRun, 'tenantId' | 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string };

/** The runs of processes, as analysts read them in the webhook log. */
@Injectable()
export class RunsService {
  constructor(private readonly runs: ProcessRunsRepository) {}

  async forWebhook(tenantId: string, webhookId: string): Promise<RunView[]> {
    return (await this.runs.listByWebhook(tenantId, webhookId)).map(toView);
  }

  /** Newest first, e.g. the failed runs of one process. */
  async list(tenantId: string, filter: { status?: RunStatus; processId?: string }, limit: number): Promise<RunView[]> {
    return (await this.runs.list(tenantId, filter, limit)).map(toView);
  }
}

function toView({ tenantId: _tenant, ...run }: ProcessRun): RunView {
  return { ...run, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt.toISOString() };
}
