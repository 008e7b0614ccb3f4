import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type ParameterObject } from '@nestjs/swagger';
import { SCOPES } from '../auth/scopes.js';
import { ErrorCode } from '../common/app-error.js';
import { ERROR_SCHEMA, ERROR_SCHEMA_NAME, errorResponses } from '../common/api-docs.decorator.js';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['post']>;

/** The OpenAPI document at /docs-json and Swagger UI at /docs, whose "Authorize" uses client credentials. */
export function setUpOpenApi(app: INestApplication, ui: boolean): void {
  const config = new DocumentBuilder()
    .setTitle('Hookflow')
    .setDescription(
      'Webhooks in, records out. The public webhook endpoints take the API key in the URL; the admin API under /api ' +
        "takes an access token from POST /oauth/token (OAuth 2.0 client credentials), or the web console's session cookie " +
        '(POST /api/session) with the X-CSRF-Token header on every request that changes something.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: requests go where the document came from, whatever the proxy in front calls it.
    .addServer('/', 'This service')
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
  document.components = { ...document.components, schemas: { ...document.components?.schemas, [ERROR_SCHEMA_NAME]: ERROR_SCHEMA } };
  // The webhook route is a plain Fastify route (ingestion/webhook.route.ts), so Nest does not see it.
  document.paths['/webhooks/{apiKey}'] = { ...document.paths['/webhooks/{apiKey}'], post: SEND_WEBHOOK };
  declarePathParameters(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', ui });
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * A handler that does not read a parameter of its path (the tenant of its controller's prefix,
 * say) is documented without it, and a generated client then cannot fill in the URL: declare them all.
 */
function declarePathParameters(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      const declared = new Set(parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name));
      const missing = names.filter((name) => !declared.has(name));
      if (missing.length > 0) {
        operation.parameters = [...missing.map((name): ParameterObject => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...parameters];
      }
    }
  }
}

const SEND_WEBHOOK: OperationObject = {
  tags: ['webhooks'],
  operationId: 'WebhookRoute_send',
  summary: 'Send a webhook',
  // The API key in the URL is the credential.
  security: [],
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
    ...errorResponses(
      ErrorCode.InvalidBody,
      ErrorCode.InvalidApiKey,
      ErrorCode.InvalidSignature,
      ErrorCode.NotFound,
      ErrorCode.PayloadTooLarge,
      ErrorCode.UnsupportedMediaType,
      ErrorCode.RateLimited,
      ErrorCode.QueueUnavailable,
    ),
  },
};
