import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import { lookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { whyNotPublic } from './public-address.js';

export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * HTTP requests of processes to external systems. Unless HTTP_ALLOW_PRIVATE_NETWORKS is set,
 * an address that is not globally reachable unicast is refused (see whyNotPublic); the check is
 * made on every address the connection may use (in the socket's lookup), so a DNS answer cannot
 * switch to an internal host, and on an IP literal in the URL, which is never looked up.
 */
@Injectable()
export class OutboundHttp {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(request: OutboundRequest): Promise<OutboundResponse> {
    const url = parseUrl(request.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Node asks for one address or (trying IPv4 and IPv6 in turn) for all of them; every one is checked.
    const guardedLookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      lookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error);
        const refused = addresses.map((entry) => this.refusal(entry.address)).find(Boolean);
        // The socket emits this very error, so it reaches the caller with its code.
        if (refused) return callback(new AppError(ErrorCode.HttpRejected, refused));
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    }) as unknown as LookupFunction;
    // The URL parser has already spelt the host canonically: 2130706433, 0x7f.1 and 127.1 are 127.0.0.1 here.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const literal = isIP(host);
    if (literal) {
      const refused = this.refusal(host);
      if (refused) throw new AppError(ErrorCode.HttpRejected, refused);
    }
    return new Promise((resolve, reject) => {
      const outgoing = send(
        url,
        { method: request.method, headers: request.headers, lookup: literal ? undefined : guardedLookup, timeout: request.timeoutMs },
        (response) => readResponse(response).then(resolve, reject),
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
      outgoing.on('error', (error: Error & { code?: string }) => {
        reject(error instanceof AppError ? error : new AppError(ErrorCode.Transient, `${request.method} ${url.origin}${url.pathname}: ${error.message}`));
      });
      outgoing.end(request.body);
    });
  }

  /** An OAuth 2.0 access token by the client-credentials grant, reused until shortly before it expires. */
  async clientCredentialsToken(tokenUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
    // The secret is part of the key: a process of another tenant naming the same client must not get this token.
    const key = `${tokenUrl}\n${clientId}\n${scope ?? ''}\n${hash('sha256', clientSecret)}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    const response = await this.send({
      method: 'POST',
      url: tokenUrl,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      },
      body: form.toString(),
      timeoutMs: 10_000,
    });
    const body = response.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (response.status >= 500) throw new AppError(ErrorCode.Transient, `Token endpoint answered ${response.status}`);
    if (response.status !== 200 || typeof body?.access_token !== 'string') {
      throw new AppError(ErrorCode.HttpRejected, `Token endpoint refused the client credentials (HTTP ${response.status})`);
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 300;
    this.tokens.set(key, { token: body.access_token, expiresAt: Date.now() + Math.max(0, lifetime - 30) * 1000 });
    return body.access_token;
  }

  /** Why a request to this address is refused, or null when it may be sent. */
  refusal(address: string): string | null {
    if (this.config.httpAllowPrivateNetworks) return null;
    const why = whyNotPublic(address);
    if (!why) return null;
    return `Refused: ${address} is a loopback, link-local or private address: ${why} (set HTTP_ALLOW_PRIVATE_NETWORKS=true to allow)`;
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(ErrorCode.HttpRejected, `"${raw.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError(ErrorCode.HttpRejected, `Only http and https URLs can be requested, not ${url.protocol}`);
  }
  return url;
}

async function readResponse(response: IncomingMessage): Promise<OutboundResponse> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      response.destroy();
      throw new AppError(ErrorCode.HttpRejected, `The response is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(response.headers['content-type'] ?? '');
  let body: unknown = text;
  if (type.includes('json') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return { status: response.statusCode ?? 0, headers, body };
}
