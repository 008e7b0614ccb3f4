import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs.decorator.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthService } from '../auth/oauth.service.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { bearerOf, isMetricsToken } from './metrics-auth.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly oauth: OAuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics of this process: METRICS_TOKEN or a platform access token as bearer' })
  @ApiOkResponse({ description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors(ErrorCode.Unauthenticated, ErrorCode.Forbidden)
  async scrape(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // Volumes per tenant are business data: not for anyone who can reach the port.
    const bearer = bearerOf(request.headers.authorization);
    if (!bearer || !isMetricsToken(bearer, this.config.metricsToken)) {
      const principal = bearer ? await this.oauth.verify(bearer) : null;
      if (!principal) {
        throw new AppError(ErrorCode.Unauthenticated, 'Metrics need a bearer token: METRICS_TOKEN or a platform access token', {
          'WWW-Authenticate': 'Bearer realm="hookflow"',
        });
      }
      if (!principal.scopes.includes('platform')) throw new AppError(ErrorCode.Forbidden, 'Only a platform client may read metrics');
    }
    const text = await this.metrics.render();
    // Set only now: an error above is answered as JSON.
    void reply.type(this.metrics.registry.contentType);
    return text;
  }
}
