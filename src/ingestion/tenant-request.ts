import type { FastifyRequest } from 'fastify';

/** A webhook request, once its key has told whose it is. */
export type TenantRequest = FastifyRequest & { tenantId?: string };
