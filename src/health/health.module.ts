import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QueueModule } from '../pipeline/queue.module.js';
import { HealthController } from './health.controller.js';
import { RedisHealth } from './redis.health.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), QueueModule],
  controllers: [HealthController],
  providers: [RedisHealth],
})
export class HealthModule {}
