import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { RunOutcome } from '../engine/process-runner.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';

/** How long a tenant's count of waiting instances is trusted before it is read again. */
export const WAITING_COUNT_TTL_MS = 5000;
const TENANTS_KEPT = 10_000;

/**
 * WAITING_INSTANCES_PER_TENANT: an instance that would start waiting when its tenant has that
 * many waiting already fails instead (LIMIT_EXCEEDED), so one tenant cannot fill the database
 * with parked instances. The count is read at most every few seconds per tenant and worker and
 * counted up locally in between: the limit holds to within what the workers park meanwhile.
 * Instances already waiting that wait again (a timer, a parallel branch) are not new.
 */
@Injectable()
export class InstanceLimits {
  private readonly waiting = new Map<string, { count: number; readAt: number }>();

  constructor(
    private readonly instances: ProcessInstancesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The outcome as it stands, or — when it would make the tenant's waiting instances exceed the limit — failed, saying so. */
  async newWait(tenantId: string, outcome: RunOutcome): Promise<RunOutcome> {
    if (outcome.status !== 'waiting') return outcome;
    const now = Date.now();
    let known = this.waiting.get(tenantId);
    if (!known || now - known.readAt > WAITING_COUNT_TTL_MS) {
      if (this.waiting.size >= TENANTS_KEPT) this.waiting.clear();
      known = { count: await this.instances.countByStatus(tenantId, 'waiting'), readAt: now };
      this.waiting.set(tenantId, known);
    }
    const limit = this.config.waitingInstancesPerTenant;
    if (known.count < limit) {
      known.count += 1;
      return outcome;
    }
    const at = outcome.waits[0]?.step;
    const error = new AppError(
      ErrorCode.LimitExceeded,
      `The tenant has ${known.count} waiting instances, the most WAITING_INSTANCES_PER_TENANT (${limit}) allows: this one stopped${at ? ` at step "${at}"` : ''} instead of waiting`,
    );
    return { ...outcome, status: 'failed', error, waits: [] };
  }
}
