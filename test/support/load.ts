import { apiRequest } from './admin-client.js';

/** What sendMany saw: the ids acknowledged with 202, and what every other answer was. */
export interface Sent extends Array<string> {
  /** "status: body" or the network error, one per request not acknowledged. */
  refused: string[];
}

/** Sends webhooks with some concurrency; answers the ids of those acknowledged with 202. */
export async function sendMany(url: string, apiKey: string, count: number, concurrency: number, onSent?: (sent: number) => void): Promise<Sent> {
  const accepted = Object.assign([] as string[], { refused: [] as string[] });
  let next = 0;
  let sent = 0;
  const sender = async () => {
    while (next < count) {
      const n = next++;
      try {
        const response = await apiRequest(url, 'POST', `/webhooks/${apiKey}`, { body: { EntityName: 'FormSubmit', Name: `load-${n}` } });
        if (response.status === 202) accepted.push(String((response.body as { id: string }).id));
        else accepted.refused.push(`${response.status}: ${response.text.slice(0, 200)}`);
      } catch (error) {
        // The API died under this request: the sender got no 202, so nothing is promised.
        accepted.refused.push(String((error as Error).cause ?? error));
      }
      onSent?.(++sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return accepted;
}
