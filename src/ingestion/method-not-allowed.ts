import type { FastifyInstance } from 'fastify';
import { errorBody } from '../common/error.filter.js';

/** Public endpoints accept POST only; any other method is told so with 405 and Allow: POST. */
export const POST_ONLY_PATHS = ['/webhooks/:apiKey', '/get_entities/:apiKey', '/get_entity_description/:apiKey/:entityName'];

export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  for (const url of POST_ONLY_PATHS) {
    fastify.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      url,
      handler: async (request, reply) => {
        await reply
          .status(405)
          .header('Allow', 'POST')
          .send(errorBody(405, `${request.method} is not allowed here; webhooks are sent with POST`));
      },
    });
  }
}
