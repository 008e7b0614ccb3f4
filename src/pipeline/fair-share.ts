/** BullMQ's lowest priority (highest number); 1 is served first. */
const MAX_PRIORITY = 2_097_152;
/** How fast a tenant's recent volume is forgotten: it halves in about 40 s. */
const DECAY_MS = 60_000;
/** Webhooks of a tenant that share a priority step. */
const STEP = 100;
const MAX_TENANTS = 100_000;

/**
 * Priorities that keep one tenant's burst from starving the others, with open-source BullMQ
 * (its groups are a paid feature). Each tenant's recent volume, as this process saw it, decays
 * over time; a webhook's priority grows with it. A tenant that sends now and then gets
 * priority 1 and overtakes a burst that is waiting in the queue; within a tenant, webhooks keep
 * their order except that a burst's tail may wait behind later, quieter periods of the same
 * tenant. Each API process judges by what it receives, so nothing is shared or locked.
 */
export class FairShare {
  private readonly volume = new Map<string, { value: number; at: number }>();

  priority(tenantId: string, now = Date.now()): number {
    const seen = this.volume.get(tenantId);
    const value = seen ? seen.value * Math.exp(-(now - seen.at) / DECAY_MS) + 1 : 1;
    if (!seen && this.volume.size >= MAX_TENANTS) this.volume.clear();
    this.volume.set(tenantId, { value, at: now });
    return Math.min(MAX_PRIORITY, 1 + Math.floor((value - 1) / STEP));
  }
}
