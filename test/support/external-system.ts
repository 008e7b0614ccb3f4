import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Answers per path: each call takes the first answer while more than one is left. */
export type Answers = Record<string, Array<[number, unknown]>>;

/**
 * An external system (a CRM, say) on loopback: records what it receives and answers from a
 * script per path. The script may be changed while it runs, to take the system down or up.
 */
export async function startExternalSystem(answers: Answers) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const script = answers[request.url ?? ''] ?? [[404, { error: 'no such path' }]];
      const [status, payload] = script.length > 1 ? script.shift()! : script[0];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answers,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * A custom process that sends the webhook to `url` (http-request) and then notes the other
 * system's id in a FormSubmit record.
 */
export function forwardingProcess(id: string, url: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Forward to CRM (${id})`,
    version: 1,
    activeByDefault: true,
    trigger: { type: 'webhook' },
    steps: [
      {
        id: 'send',
        type: 'http-request',
        input: {
          method: 'POST',
          url,
          headers: { 'X-Source': "'hookflow'" },
          body: { email: 'Email', fullName: "first & ' ' & last", campaign: "'spring'" },
          timeoutMs: 2000,
          ...extra,
        },
      },
      {
        id: 'note',
        type: 'create-record',
        input: { object: 'FormSubmit', values: { Email: 'Email', Notes: "'CRM id ' & $string($steps.send.body.id)" } },
      },
    ],
  };
}
