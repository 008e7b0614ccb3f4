import { Logger, type INestApplication } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { OAuthError, OAuthService } from '../auth/oauth.service.js';
import { ErrorCode } from '../common/app-error.js';
import { errorBody } from '../common/error.filter.js';
import { WebhookQueue } from '../pipeline/webhook-queue.js';

export const QUEUE_DASHBOARD_PATH = '/queues';
/** A browser asks for many files per page: a checked credential is trusted this long (scrypt is slow on purpose). */
const TRUST_MS = 60_000;

/**
 * Bull Board at /queues, for operators: the webhooks queue, its jobs, retries and failures. It is
 * behind HTTP Basic with the id and secret of a platform OAuth client (a browser asks for them),
 * since a queue's jobs hold every tenant's payloads.
 */
export async function mountQueueDashboard(app: INestApplication, fastify: FastifyInstance): Promise<void> {
  // Loaded only when mounted: the board's files come through @fastify/static.
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const board = new FastifyAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(app.get(WebhookQueue).dashboardQueue())],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Hookflow queues' } },
  });
  const oauth = app.get(OAuthService);
  const trusted = new Map<string, number>();
  const logger = new Logger('QueueDashboard');

  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      // A browser sends cached Basic credentials with another site's form or fetch too: an
      // unsafe request must come from the dashboard's own pages.
      if (!SAFE_METHODS.has(request.method) && isCrossSite(request)) {
        return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'The queue dashboard refuses changes sent from another site' });
      }
      const credentials = basicCredentials(request.headers.authorization);
      const digest = credentials && createHash('sha256').update(`${credentials.id}\0${credentials.secret}`).digest('hex');
      if (digest && (trusted.get(digest) ?? 0) > Date.now()) return;
      const checked = credentials ? await checkPlatformClient(oauth, credentials.id, credentials.secret, request.ip) : 'refused';
      if (checked === 'ok') {
        if (trusted.size > 1000) trusted.clear();
        trusted.set(digest!, Date.now() + TRUST_MS);
        return;
      }
      if (typeof checked === 'number') {
        return reply
          .code(429)
          .header('Retry-After', String(checked))
          .send({ statusCode: 429, error: 'Too Many Requests', message: `Too many failed sign-ins; try again in ${checked} seconds` });
      }
      if (credentials) logger.warn({ msg: 'Queue dashboard: refused credentials', clientId: credentials.id.slice(0, 100) });
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Basic realm="Hookflow queues", charset="UTF-8"')
        .send(errorBody(ErrorCode.Unauthenticated, 'The queue dashboard needs the id and secret of a platform client (HTTP Basic)'));
    });
    await scope.register(board.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : null;
}

/** 'ok', 'refused', or the seconds to wait when over the limit of failed authentications (shared with /oauth/token). */
async function checkPlatformClient(oauth: OAuthService, id: string, secret: string, ip: string): Promise<'ok' | 'refused' | number> {
  try {
    return (await oauth.token('client_credentials', id, secret, 'platform', ip)).scope === 'platform' ? 'ok' : 'refused';
  } catch (error) {
    if (error instanceof OAuthError && error.retryAfter !== undefined) return error.retryAfter;
    return 'refused';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Origin (or, without it, Referer) names another host than the request's, or the browser says
 * Sec-Fetch-Site: cross-site. A request with none of them is no browser's cross-site request.
 */
function isCrossSite(request: FastifyRequest): boolean {
  if (firstHeader(request.headers['sec-fetch-site']) === 'cross-site') return true;
  const source = firstHeader(request.headers.origin) ?? firstHeader(request.headers.referer);
  if (source === undefined) return false;
  try {
    return new URL(source).host !== request.headers.host;
  } catch {
    // "null" (a sandboxed or privacy-hidden origin) or garbage: not provably ours.
    return true;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
