import { SetMetadata } from '@nestjs/common';

/** What a tenant client may be allowed; a platform client may do everything, for every tenant. */
export const SCOPES = [
  'tenant:read',
  'keys:read',
  'keys:write',
  'catalogue:read',
  'catalogue:write',
  'records:read',
  'records:write',
  'processes:read',
  'processes:write',
  'webhooks:read',
  'webhooks:write',
] as const;

export type Scope = (typeof SCOPES)[number] | 'platform';

export const SCOPE_KEY = 'hookflow:scope';

/** The scope a route needs; 'platform' for what only a platform client may do. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

/** Who calls the admin API, from a verified access token. */
export interface Principal {
  clientId: string;
  kind: 'platform' | 'tenant';
  tenantId: string | null;
  scopes: string[];
}
