import { createHmac, timingSafeEqual } from 'node:crypto';

/** What every scheme's configuration holds; each scheme adds its own settings. */
export interface SchemeConfig {
  scheme: string;
  secret: string;
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** A request as a scheme checks it: its headers (lower-case names) and its body bytes as received. */
export interface SignedRequest {
  headers: RequestHeaders;
  rawBody: Buffer;
}

/** A setting of a scheme's configuration beyond its secret, as the admin API documents and checks it. */
export interface SchemeSetting {
  type: 'string' | 'integer';
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
}

/**
 * Where a sender puts its id of a delivery, so that a repeat is acknowledged without being queued
 * again: a header (read for every key, signed or not), or a field of the body (read only for keys
 * of this scheme, whose body the signature vouches for).
 */
export type DeliveryIdSource = { header: string } | { payloadField: string };

/**
 * A signature scheme: how a webhook source signs its requests. One file per scheme, listed in
 * index.ts; the admin API, ingestion and the webhook log learn everything about it from here.
 */
export interface SchemeDefinition<C extends SchemeConfig = SchemeConfig> {
  name: C['scheme'];
  /** For people: "Stripe", "Standard Webhooks"… */
  label: string;
  /** The settings its configuration may hold besides scheme and secret. */
  settings: Readonly<Record<string, SchemeSetting>>;
  /** Headers that carry its signatures: never kept in the webhook log, whichever scheme a key uses. */
  headers: readonly string[];
  /** Headers that a key's own configuration names for its signatures (lower-case), kept out of the log too. */
  configuredHeaders?(config: C): string[];
  deliveryId: DeliveryIdSource | null;
  /** What is wrong with a configuration (its secret's format, its settings), as "<property>: <problem>"; null if nothing. */
  configProblem(config: C): string | null;
  /**
   * Checks a request's signature over the raw body bytes with constant-time comparison and,
   * where the scheme signs a timestamp, a tolerance against replays. Answers null when valid,
   * otherwise what is wrong — never anything about the secret.
   */
  verify(config: C, request: SignedRequest, now: number): string | null;
}

/** Gives a scheme file its type, with the name as a literal (the registry derives its types from it). */
export function defineScheme<C extends SchemeConfig>(definition: SchemeDefinition<C>): SchemeDefinition<C> {
  return definition;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The tolerance setting of schemes that sign a timestamp. */
export const TOLERANCE_SETTING: SchemeSetting = {
  type: 'integer',
  description: `accepted clock difference in seconds (default ${DEFAULT_TOLERANCE_SECONDS})`,
  minimum: 1,
  maximum: 3600,
};

export function toleranceProblem(toleranceSeconds: unknown): string | null {
  if (toleranceSeconds === undefined) return null;
  return Number.isInteger(toleranceSeconds) && (toleranceSeconds as number) >= 1 && (toleranceSeconds as number) <= 3600
    ? null
    : 'toleranceSeconds: a whole number of seconds from 1 to 3600';
}

/** A header's first value. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Null when the signed timestamp is within the tolerance, otherwise what is wrong. */
export function staleness(timestamp: string, toleranceSeconds: number | undefined, now: number): string | null {
  const tolerance = toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return 'the signature timestamp is not a number of seconds';
  if (Math.abs(now / 1000 - seconds) > tolerance) return `the signature timestamp is more than ${tolerance} s away from now`;
  return null;
}

export function hmac(algorithm: string, key: Buffer, data: Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

/** Constant-time comparison: how much of a guess matches must not show in the time of the answer. */
export function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
