import { SetMetadata } from '@nestjs/common';

/** What a tenant client may be allowed; a platform client may do everything, for every tenant. */
export const SCOPES = [
  'tenant:read',
  'keys:read',
  'keys:write',
  'secrets:read',
  'secrets:write',
  'catalogue:read',
  'catalogue:write',
  'records:read',
  'records:write',
  'processes:read',
  'processes:write',
  'webhooks:read',
  'webhooks:write',
  'tasks:read',
  'tasks:write',
] as const;

export type Scope = (typeof SCOPES)[number] | 'platform';

export const SCOPE_KEY = 'hookflow:scope';

/** The scope a route needs; 'platform' for what only a platform client may do. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

/** Who calls the admin API: an OAuth client (from its access token) or a console user (from its session). */
export interface Principal {
  /** The OAuth client id, or "user:<email>" for a console user. */
  clientId: string;
  kind: 'platform' | 'tenant' | 'user';
  tenantId: string | null;
  scopes: string[];
  /** The client's generation when its token was issued (tokens only): a rotation refuses older ones. */
  generation?: number;
  /** A console user's scopes on each tenant it has a role on (kind 'user' only). */
  tenantScopes?: Record<string, string[]>;
}
