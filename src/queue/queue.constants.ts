/** Every queue and job name of the service, with the payload each job carries. */

export const WEBHOOKS_QUEUE = 'webhooks';

export const JOB_PROCESS_WEBHOOK = 'process-webhook';

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
