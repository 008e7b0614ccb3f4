import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OAuthError, OAuthService } from './oauth.service.js';

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
  async token(
    @Body() body: Record<string, unknown> | undefined,
    @Headers('authorization') authorization: string | undefined,
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
      await reply.send(await this.oauth.token(params.grant_type, clientId, clientSecret, params.scope));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401) void reply.header('WWW-Authenticate', 'Basic realm="hookflow"');
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
