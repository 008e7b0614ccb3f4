/** Sends webhooks with some concurrency; answers the ids of those acknowledged with 202. */
export async function sendMany(
  url: string,
  apiKey: string,
  count: number,
  concurrency: number,
  onSent?: (sent: number) => void,
): Promise<string[]> {
  const accepted: string[] = [];
  let next = 0;
  let sent = 0;
  const sender = async () => {
    while (next < count) {
      const n = next++;
      try {
        const response = await fetch(`${url}/webhooks/${apiKey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ EntityName: 'FormSubmit', Name: `load-${n}` }),
        });
        if (response.status === 202) accepted.push(String(((await response.json()) as { id: string }).id));
      } catch {
        // The API died under this request: the sender got no 202, so nothing is promised.
      }
      onSent?.(++sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return accepted;
}
