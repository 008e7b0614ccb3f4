import { Module } from '@nestjs/common';
import { WebhookQueue } from './webhook-queue.producer.js';

/** The producer side of the queue, for the API. */
@Module({ providers: [WebhookQueue], exports: [WebhookQueue] })
export class QueueModule {}
