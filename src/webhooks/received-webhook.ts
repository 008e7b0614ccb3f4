/** A webhook as the API received it. The tenant comes from the API key, never the payload. */
export interface ReceivedWebhook {
  webhookId: string;
  tenantId: string;
  apiKeyId: string;
  /** The key's name, which process triggers may name. */
  apiKeyName: string;
  /** ISO 8601 */
  receivedAt: string;
  contentType: string;
  /** Request headers that are safe to keep (no credentials, cookies or signatures). */
  headers: Record<string, string>;
  payload: Record<string, unknown>;
  /** The id of the HTTP request that brought it, for log correlation (absent in older jobs). */
  requestId?: string;
  /**
   * Set by the worker, not the API: the waiting instances this webhook resumed (correlation),
   * written with its log entry.
   */
  resumedIds?: string[];
}
