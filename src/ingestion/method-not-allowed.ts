import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../common/app-error.js';
import { errorBody } from '../common/error.filter.js';

/** Public endpoints accept POST only; any other method is told so with 405 and Allow: POST. */
export const POST_ONLY_PATHS = ['/webhooks/:apiKey', '/get_entities/:apiKey', '/get_entity_description/:apiKey/:entityName'];

// WebDAV methods are not routed by Fastify until added; senders do use some of them by mistake.
const EXTRA_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT'];

export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  for (const method of EXTRA_METHODS) {
    if (!fastify.supportedMethods.includes(method)) fastify.addHttpMethod(method, { hasBody: true });
  }
  for (const url of POST_ONLY_PATHS) {
    fastify.route({
      // Every method Fastify knows but POST (HEAD comes with GET).
      method: fastify.supportedMethods.filter((method) => method !== 'POST' && method !== 'HEAD'),
      url,
      handler: async (request, reply) => {
        await reply
          .status(405)
          .header('Allow', 'POST')
          .send(errorBody(ErrorCode.MethodNotAllowed, `${request.method} is not allowed here; webhooks are sent with POST`));
      },
    });
  }
}
