import { describe, expect, it, jest } from '@jest/globals';
import { UnrecoverableError, type Job } from 'bullmq';
import { AppError, ErrorCode } from '../common/app-error.js';
import { loadConfig } from '../config/config.js';
import { JOB_RUN_PROCESS } from './job-contracts.js';
import { WebhookJobsConsumer } from './webhook-jobs.consumer.js';

/** A consumer whose run job throws the given error, with what it noted in the log and counted. */
function consumerThrowing(error: unknown) {
  const retrying = jest.fn(async () => undefined);
  const jobRetried = jest.fn();
  const runner = { runProcess: async () => Promise.reject(error) };
  const consumer = new WebhookJobsConsumer(
    undefined as never,
    undefined as never,
    runner as never,
    undefined as never,
    undefined as never,
    { jobRetried } as never,
    { retrying } as never,
    undefined as never,
    undefined as never,
    undefined as never,
    undefined as never,
    undefined as never,
    loadConfig({}),
  );
  const job = { id: 'j1', name: JOB_RUN_PROCESS, attemptsMade: 0, opts: { attempts: 5 }, data: { tenantId: 't', webhookId: 'w' } } as unknown as Job;
  return { consumer, job, retrying, jobRetried };
}

describe("the queue's retry decision", () => {
  it.each([
    ['TRANSIENT', new AppError(ErrorCode.Transient, 'POST https://crm.example/contacts answered 503')],
    ['QUEUE_UNAVAILABLE', new AppError(ErrorCode.QueueUnavailable, 'The webhook queue is unavailable')],
    ['an exception of no code', new Error('connection reset')],
  ])('lets BullMQ retry %s, noting the next attempt in the log', async (_label, error) => {
    const { consumer, job, retrying, jobRetried } = consumerThrowing(error);
    await expect(consumer.process(job as never)).rejects.toBe(error);
    expect(retrying).toHaveBeenCalledTimes(1);
    consumer.onFailed(job as never, error as Error);
    expect(jobRetried).toHaveBeenCalledWith(JOB_RUN_PROCESS);
  });

  it.each([ErrorCode.NotFound, ErrorCode.Internal, ErrorCode.InvalidDefinition])('fails the job at once for %s: waiting does not mend it', async (code) => {
    const { consumer, job, retrying, jobRetried } = consumerThrowing(new AppError(code, 'Webhook w does not exist in this tenant'));
    const thrown = await consumer.process(job as never).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect(thrown).toMatchObject({ message: 'Webhook w does not exist in this tenant' });
    expect(retrying).not.toHaveBeenCalled();
    consumer.onFailed(job as never, thrown as Error);
    expect(jobRetried).not.toHaveBeenCalled();
  });
});
