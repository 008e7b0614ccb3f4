import { createHmac, timingSafeEqual } from 'node:crypto';

/** How a webhook source signs its requests; configured per API key. */
export type SignatureConfig =
  | { scheme: 'standard-webhooks'; secret: string; toleranceSeconds?: number }
  | { scheme: 'stripe'; secret: string; toleranceSeconds?: number }
  | { scheme: 'github'; secret: string }
  | { scheme: 'shopify'; secret: string }
  | { scheme: 'hmac'; secret: string; header: string; algorithm: 'sha256' | 'sha512'; encoding: 'hex' | 'base64'; prefix?: string };

export type SignatureScheme = SignatureConfig['scheme'];
export const SIGNATURE_SCHEMES: SignatureScheme[] = ['standard-webhooks', 'stripe', 'github', 'shopify', 'hmac'];

const DEFAULT_TOLERANCE_SECONDS = 300;

/** The headers that carry each scheme's signature: never stored in the webhook log. */
const SCHEME_HEADERS: Record<SignatureScheme, string[]> = {
  'standard-webhooks': ['webhook-signature'],
  stripe: ['stripe-signature'],
  github: ['x-hub-signature-256', 'x-hub-signature'],
  shopify: ['x-shopify-hmac-sha256'],
  hmac: [],
};

/** Every scheme's signature headers, hidden whether or not the key asks for that scheme. */
export const SIGNATURE_HEADERS: ReadonlySet<string> = new Set(Object.values(SCHEME_HEADERS).flat());

/** The header a key's own configuration names for its signature (generic HMAC), if any. */
export function configuredSignatureHeader(config: SignatureConfig | null): string | null {
  return config?.scheme === 'hmac' ? config.header.toLowerCase() : null;
}

/**
 * Checks a request's signature over the raw body bytes as received (never re-serialised JSON),
 * with constant-time comparison and, where the scheme signs a timestamp, a tolerance against
 * replays. Answers null when valid, otherwise what is wrong — never anything about the secret.
 */
export function signatureProblem(
  config: SignatureConfig,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  now = Date.now(),
): string | null {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  switch (config.scheme) {
    case 'standard-webhooks': {
      const id = header('webhook-id');
      const timestamp = header('webhook-timestamp');
      const signatures = header('webhook-signature');
      if (!id || !timestamp || !signatures) return 'the webhook-id, webhook-timestamp and webhook-signature headers are required';
      const stale = staleness(timestamp, config.toleranceSeconds, now);
      if (stale) return stale;
      const key = Buffer.from(config.secret.replace(/^whsec_/, ''), 'base64');
      const expected = hmac('sha256', key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), rawBody]), 'base64');
      const given = signatures.split(' ').map((entry) => entry.split(',')).filter(([version]) => version === 'v1').map(([, value]) => value ?? '');
      return given.some((value) => same(value, expected)) ? null : 'no signature matches';
    }
    case 'stripe': {
      const parts = (header('stripe-signature') ?? '').split(',').map((part) => part.split('='));
      const timestamp = parts.find(([name]) => name === 't')?.[1];
      const given = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
      if (!timestamp || given.length === 0) return 'the Stripe-Signature header with t= and v1= is required';
      const stale = staleness(timestamp, config.toleranceSeconds, now);
      if (stale) return stale;
      const expected = hmac('sha256', Buffer.from(config.secret), Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]), 'hex');
      return given.some((value) => same(value, expected)) ? null : 'no signature matches';
    }
    case 'github': {
      const given = header('x-hub-signature-256');
      if (!given) return 'the X-Hub-Signature-256 header is required';
      return same(given, `sha256=${hmac('sha256', Buffer.from(config.secret), rawBody, 'hex')}`) ? null : 'the signature does not match';
    }
    case 'shopify': {
      const given = header('x-shopify-hmac-sha256');
      if (!given) return 'the X-Shopify-Hmac-Sha256 header is required';
      return same(given, hmac('sha256', Buffer.from(config.secret), rawBody, 'base64')) ? null : 'the signature does not match';
    }
    case 'hmac': {
      const given = header(config.header.toLowerCase());
      if (!given) return `the ${config.header} header is required`;
      const expected = (config.prefix ?? '') + hmac(config.algorithm, Buffer.from(config.secret), rawBody, config.encoding);
      return same(given, expected) ? null : 'the signature does not match';
    }
  }
}

function staleness(timestamp: string, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now: number): string | null {
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return 'the signature timestamp is not a number of seconds';
  if (Math.abs(now / 1000 - seconds) > toleranceSeconds) return `the signature timestamp is more than ${toleranceSeconds} s away from now`;
  return null;
}

function hmac(algorithm: string, key: Buffer, data: Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
