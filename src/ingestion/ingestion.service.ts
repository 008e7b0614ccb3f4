import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { WebhookQueue } from '../pipeline/webhook-queue.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import type { WebhookStatus } from '../webhooks/webhook.entity.js';
import { WebhookLogService } from '../webhooks/webhook-log.service.js';
import { InstancesService, type InstanceOutcome } from '../engine/instances.service.js';
import type { TenantRequest } from './tenant-request.js';
import { checkPayloadLimits } from './payload-limits.js';
import { RateLimiter } from './rate-limiter.js';
import { FORBIDDEN_NAMES, MULTIPART_LIMITS, type RawBodyRequest } from './body-parsers.js';
import { configuredSignatureHeaders, deliveryIdOf, SIGNATURE_HEADERS, signatureProblem, type SignatureConfig } from '../tenants/signature-schemes/index.js';

export interface Accepted {
  id: string;
  status: 'accepted';
  /** A repeat of a delivery already accepted: id is the first webhook's, nothing new is queued. */
  duplicate?: true;
}

export interface Receipt {
  id: string;
  status: WebhookStatus;
  receivedAt: string;
  recordIds: string[];
  /** What became of the webhook, in plain words. */
  reason: string;
  /** While it waits to be tried again after a failed attempt: when (ISO 8601); otherwise null. */
  nextAttemptAt: string | null;
  /** The process instances it started and those it resumed, with their status now. */
  instances: InstanceOutcome[];
}

/**
 * Accepts a webhook: resolves its key to a tenant, reads the body into parameters and queues
 * it. The database is not touched per request (keys are cached), and 202 is only answered
 * once Redis holds the job.
 */
@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);
  private readonly maxBodyBytes: number;
  private readonly logDebug: boolean;

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly queue: WebhookQueue,
    private readonly rateLimiter: RateLimiter,
    private readonly log: WebhookLogService,
    private readonly instances: InstancesService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxBodyBytes = config.maxBodyBytes;
    // Decided once: the line is built for every webhook otherwise, to be dropped.
    this.logDebug = config.logLevel === 'debug';
  }

  async receive(apiKey: string, request: TenantRequest): Promise<Accepted> {
    const key = await this.apiKeys.resolve(apiKey);
    request.tenantId = key.tenantId;
    this.rateLimiter.take(key.apiKeyId, key.rateLimitPerMinute);
    const payload = request.isMultipart() ? await readMultipart(request, this.maxBodyBytes) : checkBody(request);
    checkPayloadLimits(payload);
    if (key.signature) verifySignature(key.signature, request);
    const deliveryId = deliveryIdOf(key.signature, request.headers, payload);
    const webhookId = randomUUID();
    const queuedId = await this.queue.add(
      {
        webhookId,
        tenantId: key.tenantId,
        apiKeyId: key.apiKeyId,
        apiKeyName: key.apiKeyName,
        receivedAt: new Date().toISOString(),
        contentType: mediaType(request),
        headers: safeHeaders(request.headers, configuredSignatureHeaders(key.signature)),
        payload,
        requestId: request.id,
      },
      // Per key: two sources cannot collide on each other's delivery ids.
      deliveryId ? `${key.apiKeyId}:${deliveryId}` : undefined,
    );
    const duplicate = queuedId !== webhookId;
    if (this.logDebug) {
      this.logger.debug({
        msg: duplicate ? 'Repeated delivery: nothing queued' : 'Webhook queued',
        requestId: request.id,
        webhookId: queuedId,
        tenantId: key.tenantId,
      });
    }
    return duplicate ? { id: queuedId, status: 'accepted', duplicate: true } : { id: webhookId, status: 'accepted' };
  }

  /** What became of a webhook, for the key that sent it (404 for any other key). */
  async receipt(apiKey: string, webhookId: string): Promise<Receipt> {
    const key = await this.apiKeys.resolve(apiKey);
    const notFound = new AppError(ErrorCode.NotFound, `No webhook ${webhookId.slice(0, 40)} was sent with this key`);
    const logged = await this.log.find(key.tenantId, webhookId);
    if (logged) {
      if (logged.apiKeyId !== key.apiKeyId) throw notFound;
      return {
        id: logged.id,
        status: logged.status,
        receivedAt: logged.receivedAt,
        recordIds: logged.recordIds,
        // Queued with a reason but no next attempt: a replay, whose old reason no longer applies.
        reason: plainReason(logged.status, logged.status === 'queued' && !logged.nextAttemptAt ? null : logged.reason, logged.recordIds.length),
        nextAttemptAt: logged.nextAttemptAt,
        instances: await this.instances.outcomes(key.tenantId, logged.runIds, logged.resumedIds),
      };
    }
    // Not taken by a worker yet: it is still a job in Redis.
    const queued = await this.queue.find(webhookId).catch(() => null);
    if (!queued || queued.apiKeyId !== key.apiKeyId) throw notFound;
    return {
      id: webhookId,
      status: 'queued',
      receivedAt: queued.receivedAt,
      recordIds: [],
      reason: plainReason('queued', null, 0),
      nextAttemptAt: null,
      instances: [],
    };
  }
}

/** 401 naming the scheme and what is wrong, never anything about the secret. */
function verifySignature(config: SignatureConfig, request: RawBodyRequest): void {
  const rawBody = request.rawBody;
  const problem = rawBody ? signatureProblem(config, request.headers, rawBody) : 'signatures are checked on JSON and form-urlencoded bodies, not multipart';
  if (problem) throw new AppError(ErrorCode.InvalidSignature, `Invalid ${config.scheme} signature: ${problem}`);
}

function plainReason(status: WebhookStatus, reason: string | null, records: number): string {
  switch (status) {
    case 'queued':
      // A reason while queued is that of a failed attempt, with the time of the next.
      return reason ? `Received; it is being retried. ${reason}` : 'Received and waiting to be processed.';
    case 'processed':
      return `Processed: ${records} record${records === 1 ? '' : 's'} written.${reason ? ` Note: ${reason}` : ''}`;
    case 'received':
      // A run that wrote records and then failed: the reason lists them.
      if (records > 0) return `Kept, partly processed: ${reason ?? `${records} record${records === 1 ? '' : 's'} written before a run failed`}`;
      return `Kept without creating a record: ${reason ?? 'no process used it'}`;
    case 'failed':
      return `Could not be processed (it can be replayed): ${reason ?? 'a system error'}`;
  }
}

// Credentials, cookies, signatures and the like are never kept: the signature schemes' headers,
// the key's own signature header, and any name that looks like one.
const UNSAFE_HEADER = /auth|cookie|token|secret|signature|hmac|api-?key|password|session|credential/i;
const MAX_HEADERS = 50;
const MAX_HEADER_CHARS = 500;

/** The request headers an analyst may see in the webhook log. */
function safeHeaders(headers: FastifyRequest['headers'], signatureHeaders: readonly string[]): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).slice(0, MAX_HEADERS)) {
    if (value === undefined || UNSAFE_HEADER.test(name) || SIGNATURE_HEADERS.has(name) || signatureHeaders.includes(name)) continue;
    safe[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, MAX_HEADER_CHARS);
  }
  return safe;
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function checkBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined) {
    throw new AppError(
      ErrorCode.UnsupportedMediaType,
      'The webhook has no body: send application/json, multipart/form-data or application/x-www-form-urlencoded',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body;
    throw new AppError(ErrorCode.InvalidBody, `The webhook body must be a JSON object of parameters, got ${got}`);
  }
  // Form parsers build objects without a prototype; give every payload the same plain shape.
  return { ...(body as Record<string, unknown>) };
}

/**
 * Form fields as parameters; a repeated field becomes an array. Files are refused, and so are
 * bodies over the size limit (which Fastify does not apply to streamed multipart bodies) and
 * fields cut short by their limit: nothing is stored truncated.
 */
async function readMultipart(request: FastifyRequest, maxBodyBytes: number): Promise<Record<string, unknown>> {
  const payload: Record<string, unknown> = {};
  let bytes = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        throw new AppError(ErrorCode.UnsupportedMediaType, `Multipart part "${part.fieldname}" is a file; webhooks accept form fields only`);
      }
      if (part.valueTruncated || part.fieldnameTruncated) {
        throw new AppError(ErrorCode.PayloadTooLarge, `Form field "${part.fieldname.slice(0, 100)}" is longer than ${MULTIPART_LIMITS.fieldSize} bytes`);
      }
      const value = String(part.value);
      const name = part.fieldname;
      bytes += Buffer.byteLength(value) + Buffer.byteLength(name);
      if (bytes > maxBodyBytes) throw new AppError(ErrorCode.PayloadTooLarge, 'Request body is larger than the limit of this endpoint');
      if (FORBIDDEN_NAMES.has(name)) {
        throw new AppError(ErrorCode.InvalidBody, `Form field name "${name}" is not allowed`);
      }
      const previous = Object.hasOwn(payload, name) ? payload[name] : undefined;
      payload[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw multipartError(error as Error & { code?: string; statusCode?: number });
  }
  return payload;
}

function multipartError(error: Error & { code?: string; statusCode?: number }): AppError {
  if (error.statusCode === 413 || error.code?.endsWith('LIMIT')) {
    return new AppError(ErrorCode.PayloadTooLarge, `Multipart body exceeds a limit: ${error.message}`);
  }
  return new AppError(ErrorCode.InvalidBody, `Malformed multipart body: ${error.message}`);
}
