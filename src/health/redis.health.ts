import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { WebhookQueue } from '../pipeline/webhook-queue.js';

/** Redis is up when the queue's connection answers PING within a second. */
@Injectable()
export class RedisHealth {
  constructor(
    private readonly queue: WebhookQueue,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check() {
    const indicator = this.indicators.check('redis');
    try {
      await this.queue.ping(1000);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
