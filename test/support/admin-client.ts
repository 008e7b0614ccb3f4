/**
 * A small client of the admin API for the end-to-end tests: tokens from POST /oauth/token (HTTP
 * Basic or body credentials) and requests with a bearer token, over real HTTP with fetch.
 */

// Response bodies are whatever the service answers; tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a typed body would need a cast at every assertion
export type Json = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; null for an empty body; the text when it is not JSON. */
  body: Json;
  text: string;
}

export interface TokenRequest {
  /** Client id and secret by HTTP Basic, each encoded with encodeURIComponent (RFC 6749 §2.3.1). */
  basic?: { clientId: string; clientSecret: string };
  /** The exact value after "Basic " (for hand-made or broken credentials). */
  rawBasic?: string;
  /** Parameters as an application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  /** Parameters as a JSON body. */
  json?: Record<string, unknown>;
}

export async function readResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let body: Json = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function basicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`, 'utf8').toString('base64');
}

/** POST /oauth/token as described; answers the raw response. */
export async function requestToken(baseUrl: string, request: TokenRequest): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (request.basic) headers.authorization = `Basic ${basicCredentials(request.basic.clientId, request.basic.clientSecret)}`;
  if (request.rawBasic !== undefined) headers.authorization = `Basic ${request.rawBasic}`;
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  } else if (request.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  return apiRequest(baseUrl, 'POST', '/oauth/token', { headers, body });
}

/** An access token for the client (HTTP Basic, client_credentials), or an error with the answer. */
export async function getToken(baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (scope !== undefined) form.scope = scope;
  const response = await requestToken(baseUrl, { basic: { clientId, clientSecret }, form });
  if (response.status !== 200) throw new Error(`No token for ${clientId}: ${response.status} ${response.text}`);
  return response.body.access_token as string;
}

export interface RequestOptions {
  /** A bearer token; omitted: no Authorization header (unless headers give one). */
  token?: string;
  /**
   * Sent as JSON unless it is a string (sent as it is) or a body fetch encodes itself: FormData,
   * URLSearchParams, a Blob or bytes. Content type: the one in headers; else application/json for
   * JSON and strings; else the one fetch gives (multipart with its boundary, form-urlencoded,
   * the Blob's type, none for bytes).
   */
  body?: unknown;
  headers?: Record<string, string>;
}

type EncodedBody = FormData | URLSearchParams | Blob | Uint8Array;

function isEncodedBody(body: unknown): body is EncodedBody {
  return body instanceof FormData || body instanceof URLSearchParams || body instanceof Blob || ArrayBuffer.isView(body);
}

/** One HTTP request to the service, answered with status, headers and the parsed body. */
export async function apiRequest(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | EncodedBody | undefined;
  if (isEncodedBody(options.body)) {
    body = options.body;
  } else if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  return readResponse(await fetch(`${baseUrl}${path}`, { method, headers, body }));
}

/** The admin API as one client sees it: every call carries its bearer token. */
export class AdminApi {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  static async login(baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<AdminApi> {
    return new AdminApi(baseUrl, await getToken(baseUrl, clientId, clientSecret, scope));
  }

  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse> {
    return apiRequest(this.baseUrl, method, path, { token: this.token, body, headers });
  }

  get(path: string, query?: Record<string, string>): Promise<ApiResponse> {
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    return this.request('GET', `${path}${search}`);
  }

  post(path: string, body?: unknown): Promise<ApiResponse> {
    return this.request('POST', path, body);
  }

  put(path: string, body?: unknown): Promise<ApiResponse> {
    return this.request('PUT', path, body);
  }

  patch(path: string, body?: unknown): Promise<ApiResponse> {
    return this.request('PATCH', path, body);
  }

  delete(path: string): Promise<ApiResponse> {
    return this.request('DELETE', path);
  }
}

/** Calls check until done accepts its answer; fails with the last answer after the timeout. */
export async function pollUntil<T>(check: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${timeoutMs} ms (last: ${JSON.stringify(value).slice(0, 500)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sends a webhook with a key; expects 202 and answers its id. */
export async function sendWebhook(baseUrl: string, apiKey: string, payload: unknown, headers: Record<string, string> = {}): Promise<string> {
  const response = await apiRequest(baseUrl, 'POST', `/webhooks/${apiKey}`, { body: payload, headers });
  if (response.status !== 202) throw new Error(`Webhook refused: ${response.status} ${response.text}`);
  return response.body.id as string;
}

/**
 * Waits (polling GET /api/tenants/:t/webhooks/:id) until the worker has finished with the
 * webhook and, if given, the condition holds; answers the webhook's detail.
 */
export async function settledWebhook(
  api: AdminApi,
  tenantId: string,
  webhookId: string,
  condition: (detail: Json) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Json> {
  const response = await pollUntil(
    () => api.get(`/api/tenants/${tenantId}/webhooks/${webhookId}`),
    (answer) => answer.status === 200 && answer.body.status !== 'queued' && condition(answer.body),
    timeoutMs,
    `webhook ${webhookId} finished`,
  );
  return response.body;
}
