import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../common/app-error.js';
import { summarize } from './webhook-runner.service.js';

type Run = Parameters<typeof summarize>[0][number];

const succeeded = (...recordIds: string[]): Run => ({ status: 'completed', errorCode: null, reason: null, recordIds });
const unmappable = (reason: string): Run => ({ status: 'failed', errorCode: ErrorCode.Unmappable, reason, recordIds: [] });
const transient = (reason: string, ...recordIds: string[]): Run => ({
  status: 'failed',
  errorCode: ErrorCode.Transient,
  reason,
  recordIds,
});

describe('summarize', () => {
  it('keeps a webhook no process ran for as received, saying why', () => {
    const outcome = summarize([]);
    expect(outcome.status).toBe('received');
    expect(outcome.reason).toMatch(/^No active process/);
    expect(outcome.recordIds).toEqual([]);
  });

  it('marks a webhook processed when a run created a record', () => {
    expect(summarize([succeeded('r1')])).toEqual({ status: 'processed', reason: null, recordIds: ['r1'] });
  });

  it('keeps a webhook no run could map as received, with the reason', () => {
    expect(summarize([unmappable('Object "Nope" is not in this tenant\'s Webhook entities lookup')])).toEqual({
      status: 'received',
      reason: 'Object "Nope" is not in this tenant\'s Webhook entities lookup',
      recordIds: [],
    });
  });

  it('reports the first reason when several runs could not map the webhook', () => {
    expect(summarize([unmappable('first'), unmappable('second')])).toEqual({
      status: 'received',
      reason: 'first',
      recordIds: [],
    });
  });

  it.each<[string, Run[]]>([
    ['alone', [transient('Step "record" failed: db down')]],
    ['after a success', [succeeded('r1'), transient('Step "record" failed: db down')]],
    ['after an unmappable run', [unmappable('Age: "x" is not a whole number'), transient('Step "record" failed: db down')]],
  ])('marks a webhook failed for a TRANSIENT failure %s', (_label, runs) => {
    const outcome = summarize(runs);
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toBe('Step "record" failed: db down');
  });

  it('treats a fault of the service (INTERNAL) as a system failure', () => {
    const outcome = summarize([{ status: 'failed', errorCode: ErrorCode.Internal, reason: 'boom', recordIds: [] }]);
    expect(outcome).toEqual({ status: 'failed', reason: 'boom', recordIds: [] });
  });

  it.each([ErrorCode.NotFound, ErrorCode.InvalidArgument, ErrorCode.Conflict, ErrorCode.InvalidBody])(
    'keeps a webhook whose run failed with %s (a problem of its data) as received, with the reason',
    (errorCode) => {
      const outcome = summarize([{ status: 'failed', errorCode, reason: 'No Country named "Atlantis"', recordIds: [] }]);
      expect(outcome).toEqual({ status: 'received', reason: 'No Country named "Atlantis"', recordIds: [] });
    },
  );

  it('marks a webhook failed for a run of an unknown code (stored by another version)', () => {
    expect(summarize([{ status: 'failed', errorCode: 'SOMETHING_NEW', reason: 'boom', recordIds: [] }]).status).toBe('failed');
  });

  it('marks a webhook processed when one run succeeded and another could not map it, keeping that reason', () => {
    expect(summarize([succeeded('r1'), unmappable('Budget: "12 EUR" is not a number')])).toEqual({
      status: 'processed',
      reason: 'Budget: "12 EUR" is not a number',
      recordIds: ['r1'],
    });
    expect(summarize([unmappable('Budget: "12 EUR" is not a number'), succeeded('r1')]).status).toBe('processed');
  });

  it('concatenates the record ids of all runs, in run order', () => {
    const outcome = summarize([succeeded('r1', 'r2'), unmappable('no'), succeeded('r3'), transient('later', 'r4')]);
    expect(outcome.recordIds).toEqual(['r1', 'r2', 'r3', 'r4']);
  });
});
