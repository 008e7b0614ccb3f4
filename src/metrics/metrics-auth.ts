import { timingSafeEqual, createHash } from 'node:crypto';

/**
 * Whether a bearer token is the configured METRICS_TOKEN (compared in constant time, by digest,
 * so the comparison does not tell the token's length either).
 */
export function isMetricsToken(bearer: string, metricsToken: string | null): boolean {
  if (!metricsToken) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(bearer), digest(metricsToken));
}

export function bearerOf(authorization: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match ? match[1] : null;
}
