import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', ui });
}
