import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The compose file users deploy from: Redis holds every acknowledged webhook, so nobody on the
 * host's network may reach it, and neither Redis nor PostgreSQL runs without a password.
 */
type Service = { ports?: string[]; command?: string[]; environment?: Record<string, string> };
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it('publishes only the API', () => {
    const published = Object.entries(compose.services).filter(([, service]) => (service.ports ?? []).length > 0);
    expect(published.map(([name]) => name)).toEqual(['api']);
  });

  it('gives Redis a password, which every service has in its REDIS_URL', () => {
    expect(compose.services.redis.command!.join(' ')).toContain('--requirepass');
    expect(compose.services.redis.environment!.REDIS_PASSWORD).toBe('${REDIS_PASSWORD:?set REDIS_PASSWORD}');
    for (const name of ['api', 'worker']) expect(compose.services[name].environment!.REDIS_URL).toBe('redis://:${REDIS_PASSWORD}@redis:6379');
  });

  it('takes the PostgreSQL password from the operator, not from the file', () => {
    expect(compose.services.postgres.environment!.POSTGRES_PASSWORD).toBe('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
    expect(compose.services.api.environment!.DATABASE_URL).toContain('${POSTGRES_PASSWORD}');
  });
});
