import { describe, expect, it } from '@jest/globals';
import { FairShare } from './fair-share.js';

describe('FairShare', () => {
  it('gives a quiet tenant the first priority while another one bursts', () => {
    const fair = new FairShare();
    const now = 1_000_000;
    const burst = Array.from({ length: 10_000 }, (_, i) => fair.priority('busy', now + i));
    expect(burst.slice(0, 100).every((priority) => priority === 1)).toBe(true);
    expect(burst[9_999]).toBeGreaterThan(90);
    expect(fair.priority('quiet', now + 10_000)).toBe(1);
  });

  it('never lowers the priority within a burst, and forgets a burst after a quiet while', () => {
    const fair = new FairShare();
    const priorities = Array.from({ length: 1_000 }, (_, i) => fair.priority('t', i));
    expect(priorities.every((priority, i) => i === 0 || priority >= priorities[i - 1])).toBe(true);
    expect(fair.priority('t', 1_000 + 10 * 60_000)).toBe(1);
  });

  it('stays within the priorities BullMQ accepts', () => {
    const fair = new FairShare();
    let last = 0;
    for (let i = 0; i < 50_000; i++) last = fair.priority('flood', 0);
    expect(last).toBeLessThanOrEqual(2_097_152);
    expect(Number.isInteger(last)).toBe(true);
  });
});
