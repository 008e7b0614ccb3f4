/** Every queue and job name of the service, with the payload each job carries. */
import type { ReceivedWebhook } from '../webhooks/received-webhook.js';

/** The webhooks queue as the application injects it (@InjectQueue); its Redis name is QUEUE_NAME. */
export const WEBHOOKS_QUEUE = 'webhooks';

/** A received webhook: the worker logs it and queues one run job per process it starts. */
export const JOB_PROCESS_WEBHOOK = 'process-webhook';
/** One process for one webhook; runs are independent, each retried on its own. */
export const JOB_RUN_PROCESS = 'run-process';
/** Hourly: deletes webhooks and run traces past their retention period. */
export const JOB_RETENTION = 'retention';
/** One batch of a bulk replay; each batch queues the next, so no job holds a worker for long. */
export const JOB_REPLAY_BATCH = 'replay-batch';

/** A process instance claimed to run again (resumed by a webhook, retried): runs it from where it stopped. */
export const JOB_RESUME_INSTANCE = 'resume-instance';
/** A waiting instance's timer (a wait, a timeout): delayed until it is due, then claims and resumes the instance. */
export const JOB_WAKE_INSTANCE = 'wake-instance';

/** A tick of a process's schedule trigger for one tenant (a BullMQ job scheduler per tenant and process). */
export const JOB_SCHEDULED_RUN = 'scheduled-run';

/** A received webhook on its way to the worker (the job's data is the webhook as logged). */
export type WebhookJob = ReceivedWebhook;

/** One run of one process, pinned to the version that was current when the webhook was dispatched. */
export interface RunProcessJob {
  /** Assigned at dispatch: the id of the stored run, whichever attempt stores it. */
  runId: string;
  tenantId: string;
  webhookId: string;
  apiKeyName: string;
  processId: string;
  version: number;
  /**
   * Where that version is: the base definition or the tenant's saved one (a number alone is
   * ambiguous once a base upgrade reaches a number an override has). Absent in jobs queued
   * before runs pinned it.
   */
  source?: 'base' | 'override' | 'custom';
  /**
   * Prefix of the keys of the records the run writes. Normally webhook + process, so a replay
   * finds the records of earlier runs instead of writing them again; a forced replay has its own.
   */
  writeKey: string;
  /** The request that brought the webhook, when known (log correlation). */
  requestId?: string;
}

/** The next batch of a bulk replay (its progress and position are in the database). */
export interface ReplayBatchJob {
  tenantId: string;
  replayId: string;
  /** Webhooks the replay had handled when the batch was queued: a batch run twice does nothing. */
  position: number;
}

/** An instance to resume or wake, at the seq it had when the job was made (a stale job does nothing). */
export interface InstanceJob {
  tenantId: string;
  instanceId: string;
  seq: number;
  /** A timer's: when the instance is due (ISO 8601), for the timer lag. */
  dueAt?: string;
}

/** One tick of a schedule: the process runs as it is now for the tenant. */
export interface ScheduledRunJob {
  tenantId: string;
  processId: string;
}
