import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { ApiPublic } from '../common/api-docs.decorator.js';
import { ErrorCode } from '../common/app-error.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, OAuthService } from '../auth/oauth.service.js';

/** RFC 6749 §5.2, with the service's error code beside. */
const OAUTH_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error', 'error_description', 'code'],
  properties: {
    error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'] },
    error_description: { type: 'string' },
    code: { type: 'string', enum: [ErrorCode.InvalidArgument, ErrorCode.Unauthenticated] },
  },
};

/** POST /oauth/token: the client-credentials grant, with RFC 6749 errors. */
@ApiTags('auth')
@Controller('oauth')
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Get an access token (OAuth 2.0 client credentials)',
    description: 'Client id and secret by HTTP Basic or in the body; form or JSON body.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
        scope: { type: 'string' },
      },
    },
  })
  // The client's credentials are in the request itself (HTTP Basic or the body).
  @ApiPublic()
  @ApiOkResponse({
    description: 'RFC 6749 §5.1',
    schema: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer' },
        scope: { type: 'string' },
      },
    },
  })
  @ApiResponse({ status: 400, description: 'invalid_request, unsupported_grant_type or invalid_scope (code INVALID_ARGUMENT)', schema: OAUTH_ERROR_SCHEMA })
  @ApiResponse({ status: 401, description: 'invalid_client (code UNAUTHENTICATED)', schema: OAUTH_ERROR_SCHEMA })
  async token(
    @Body() body: Record<string, unknown> | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const params = body && typeof body === 'object' ? body : {};
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    let clientId = typeof params.client_id === 'string' ? params.client_id : undefined;
    let clientSecret = typeof params.client_secret === 'string' ? params.client_secret : undefined;
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    try {
      if (basic) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        clientId = formDecode(decoded.slice(0, colon < 0 ? undefined : colon));
        clientSecret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
      }
      await reply.send(await this.oauth.token(params.grant_type, clientId, clientSecret, params.scope, request.ip));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401) void reply.header('WWW-Authenticate', 'Basic realm="hookflow"');
      // slow_down (RFC 8628 §3.5) is the nearest registered OAuth error to "over a rate limit".
      if (error.retryAfter !== undefined) void reply.header('Retry-After', String(error.retryAfter));
      await reply.status(error.status).send({ error: error.error, error_description: error.description, code: error.code });
    }
  }
}

/** RFC 6749 §2.3.1: both parts of Basic credentials are form-urlencoded ("+" is a space). */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }
}
