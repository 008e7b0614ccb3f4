import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPublic } from '../common/api-docs.decorator.js';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealth } from './redis.health.js';

/** For load balancers and orchestrators: live = the process answers; ready = it can take webhooks. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealth,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is alive' })
  @ApiPublic()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Redis and the database answer (503 when either does not)' })
  @ApiPublic()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: 1000 }), () => this.redis.check()]);
    } catch (error) {
      // Terminus reports which check failed in its 503; keep that report rather than the common error shape.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse();
    }
  }
}
