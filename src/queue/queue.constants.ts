/** Every queue and job name of the service, with the payload each job carries. */

export const WEBHOOKS_QUEUE = 'webhooks';

/** A received webhook: the worker logs it and queues one run job per process it starts. */
export const JOB_PROCESS_WEBHOOK = 'process-webhook';
/** One process for one webhook; runs are independent, each retried on its own. */
export const JOB_RUN_PROCESS = 'run-process';

/** A received webhook on its way to the worker. The tenant comes from the API key, never the payload. */
export interface WebhookJob {
  webhookId: string;
  tenantId: string;
  apiKeyId: string;
  /** The key's name, which process triggers may name. */
  apiKeyName: string;
  /** ISO 8601 */
  receivedAt: string;
  contentType: string;
  payload: Record<string, unknown>;
}

/** One run of one process, pinned to the version that was current when the webhook was dispatched. */
export interface RunProcessJob {
  tenantId: string;
  webhookId: string;
  apiKeyName: string;
  processId: string;
  version: number;
}
