import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['post']>;
import { SCOPES } from '../auth/scopes.js';

/** The OpenAPI document at /docs-json and Swagger UI at /docs, whose "Authorize" uses client credentials. */
export function setUpOpenApi(app: INestApplication, ui: boolean): void {
  const config = new DocumentBuilder()
    .setTitle('Hookflow')
    .setDescription(
      'Webhooks in, records out. The public webhook endpoints take the API key in the URL; the admin API under /api ' +
        'takes an access token from POST /oauth/token (OAuth 2.0 client credentials), or the web console\'s session cookie ' +
        '(POST /api/session) with the X-CSRF-Token header on every request that changes something.',
    )
    .setVersion('1')
    .addOAuth2({
      type: 'oauth2',
      flows: {
        clientCredentials: {
          tokenUrl: '/oauth/token',
          scopes: Object.fromEntries([['platform', 'everything, every tenant'], ...SCOPES.map((scope) => [scope, scope])]),
        },
      },
    })
    .addBearerAuth()
    .addCookieAuth('hookflow_session')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The webhook route is a plain Fastify route (ingestion/webhook.route.ts), so Nest does not see it.
  document.paths['/webhooks/{apiKey}'] = { ...document.paths['/webhooks/{apiKey}'], post: SEND_WEBHOOK };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', ui });
}

const SEND_WEBHOOK: OperationObject = {
  tags: ['webhooks'],
  summary: 'Send a webhook',
  description:
    'JSON, multipart/form-data or application/x-www-form-urlencoded parameters. 202 once queued. A webhook-id or ' +
    'Idempotency-Key header deduplicates repeats (answered with the first id and "duplicate": true).',
  parameters: [{ name: 'apiKey', in: 'path', required: true, schema: { type: 'string' } }],
  requestBody: {
    required: true,
    content: Object.fromEntries(
      ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'].map((type) => [
        type,
        { schema: { type: 'object', additionalProperties: true, example: { EntityName: 'Lead', Contact: 'New user', Email: 'new_user@gmail.com' } } },
      ]),
    ),
  },
  responses: {
    '202': {
      description: 'Queued',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { id: { type: 'string' }, status: { type: 'string', enum: ['accepted'] }, duplicate: { type: 'boolean' } },
            required: ['id', 'status'],
          },
        },
      },
    },
    '400': { description: 'Malformed body' },
    '401': { description: 'Unknown or revoked key, or a wrong signature' },
    '413': { description: 'Too large' },
    '415': { description: 'Unsupported media type' },
    '429': { description: 'Over the rate limit of the key' },
    '503': { description: 'The queue is unavailable; send again later' },
  },
};
