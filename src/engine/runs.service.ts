import { Injectable } from '@nestjs/common';
import type { ProcessRun } from './process-run.entity.js';
import { ProcessRunsRepository } from './process-runs.repository.js';

export type RunView = Omit<ProcessRun, 'tenantId' | 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string };

/** The runs of processes, as analysts read them in the webhook log. */
@Injectable()
export class RunsService {
  constructor(private readonly runs: ProcessRunsRepository) {}

  async forWebhook(tenantId: string, webhookId: string): Promise<RunView[]> {
    return (await this.runs.listByWebhook(tenantId, webhookId)).map(({ tenantId: _tenant, ...run }) => ({
      ...run,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt.toISOString(),
    }));
  }
}
