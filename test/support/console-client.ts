import { apiRequest, type ApiResponse } from './admin-client.js';

/**
 * A browser's view of the console's API, over real HTTP: the session cookie it was given at
 * sign-in, and the CSRF token it read, sent (or not) as a browser page would.
 */
export class ConsoleClient {
  constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    readonly csrfToken: string,
  ) {}

  static async signIn(baseUrl: string, email: string, password: string): Promise<ConsoleClient> {
    const response = await signInRequest(baseUrl, email, password);
    if (response.status !== 200) throw new Error(`Sign-in of ${email} failed: ${response.status} ${response.text}`);
    return new ConsoleClient(baseUrl, sessionCookieOf(response), response.body.csrfToken as string);
  }

  /** A request with the session cookie; the CSRF header is sent unless csrf is false (or another value given). */
  request(method: string, path: string, body?: unknown, csrf: boolean | string = true): Promise<ApiResponse> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (csrf !== false) headers['x-csrf-token'] = csrf === true ? this.csrfToken : csrf;
    return apiRequest(this.baseUrl, method, path, { body, headers });
  }

  get(path: string): Promise<ApiResponse> {
    return this.request('GET', path, undefined, false);
  }

  post(path: string, body: unknown = {}, csrf: boolean | string = true): Promise<ApiResponse> {
    return this.request('POST', path, body, csrf);
  }
}

export function signInRequest(baseUrl: string, email: string, password: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return apiRequest(baseUrl, 'POST', '/api/session', { body: { email, password }, headers });
}

/** "hookflow_session=<token>" from a Set-Cookie header. */
export function sessionCookieOf(response: ApiResponse): string {
  const header = response.headers.get('set-cookie') ?? '';
  const match = /hookflow_session=[^;]*/.exec(header);
  if (!match) throw new Error(`No session cookie in: ${header}`);
  return match[0];
}
