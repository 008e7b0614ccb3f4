// The ceiling of this design: a bare Fastify server (no Nest) that parses the body the way
// the service does and makes one BullMQ queue.add to the same Redis. Started by bench/shared.mjs (startBaselineIngest).
import multipart from '@fastify/multipart';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';

const port = Number(process.env.PORT);
const queue = new Queue(process.env.QUEUE ?? 'baseline', {
  connection: { host: '127.0.0.1', port: Number(new URL(process.env.REDIS_URL).port), enableOfflineQueue: false },
  prefix: process.env.REDIS_PREFIX ?? 'bench',
});
const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, parseQuery(body)));
await app.register(multipart);

app.post('/webhooks/:apiKey', async (request, reply) => {
  let payload = request.body;
  if (request.isMultipart()) {
    payload = {};
    for await (const part of request.parts()) payload[part.fieldname] = part.value;
  }
  const id = randomUUID();
  await queue.add('webhook', { id, payload }, { jobId: id, removeOnComplete: true });
  reply.code(202);
  return { id, status: 'accepted' };
});

await queue.waitUntilReady();
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => queue.close())
      .then(() => process.exit(0)),
);
