import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { isoDurationSchema, parseIsoDuration, type IsoDuration } from '../../common/iso-duration.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Expression } from '../expression.js';
import {
  compileExpression,
  evaluate,
  expressionContext,
  InputProblem,
  isTrue,
  type RunContext,
  type StepCall,
  type StepResult,
  type StepType,
} from '../step-type.js';
import { DEFAULT_WAIT_MAX_DAYS, timeoutOf } from './wait.step.js';

interface Input {
  key: string;
  webhookKey: string;
  apiKeys?: string[];
  condition?: string;
  timeout?: string;
}

export interface WaitForWebhookInput {
  key: Expression;
  webhookKey: Expression;
  apiKeys: string[] | null;
  condition: Expression | null;
  timeout: IsoDuration | null;
}

/** The longest correlation key (the indexed column's length). */
export const MAX_CORRELATION_KEY = 200;
const DAY_MS = 86_400_000;

/**
 * Message correlation: parks the instance until a later webhook of the same tenant gives the
 * same key (its `webhookKey` expression equals the instance's `key`), or the timeout passes.
 * Its output is `{ timedOut: false, webhookId, payload }` or `{ timedOut: true }`.
 */
@Injectable()
export class WaitForWebhookStep implements StepType<Input, WaitForWebhookInput> {
  readonly type = 'wait-for-webhook';
  readonly description =
    'Waits for a later webhook whose "webhookKey" equals this instance\'s "key" (e.g. the same e-mail), or until the "timeout"; its output has the webhook\'s payload.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'webhookKey'],
    properties: {
      key: { type: 'string', minLength: 1, description: 'Expression evaluated in the waiting instance, e.g. "$lowercase($vars.email)".' },
      webhookKey: { type: 'string', minLength: 1, description: 'Expression evaluated on each later webhook of the tenant, e.g. "$lowercase(customer.email)".' },
      apiKeys: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'Only webhooks sent with these API keys (names or ids).' },
      condition: { type: 'string', minLength: 1, description: 'Expression on the later webhook; only webhooks for which it is true resume the instance.' },
      timeout: isoDurationSchema('How long to wait, ISO 8601 ("P2D"); then the output is { "timedOut": true }. Without it: WAIT_MAX_DAYS.'),
    },
  };
  private readonly maxMs: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.maxMs = (config?.waitMaxDays ?? DEFAULT_WAIT_MAX_DAYS) * DAY_MS;
  }

  compile(input: Input): WaitForWebhookInput {
    const timeout = input.timeout === undefined ? null : parseIsoDuration(input.timeout);
    if (input.timeout !== undefined && !timeout) throw new InputProblem('/timeout', `"${input.timeout}" is not an ISO 8601 duration such as "P2D"`);
    return {
      key: compileExpression(input.key, '/key'),
      webhookKey: compileExpression(input.webhookKey, '/webhookKey'),
      apiKeys: input.apiKeys ?? null,
      condition: input.condition === undefined ? null : compileExpression(input.condition, '/condition'),
      timeout,
    };
  }

  async execute({ input, run }: StepCall<WaitForWebhookInput>): Promise<StepResult> {
    const key = correlationKey(await evaluate(run, input.key));
    if (key === null) {
      return {
        ok: false,
        error: new AppError(
          ErrorCode.ExpressionFailed,
          `"key" gave nothing to wait for (it must give a text or a number of at most ${MAX_CORRELATION_KEY} characters)`,
        ),
      };
    }
    const timeoutAt = timeoutOf(input.timeout, this.maxMs);
    if (timeoutAt instanceof AppError) return { ok: false, error: timeoutAt };
    return { ok: true, wait: { kind: 'webhook', key, timeoutAt }, trace: { waitsForWebhook: { key, timeoutAt: timeoutAt.toISOString() } } };
  }
}

/**
 * The key a later webhook gives for a waiting step, or null when it cannot resume it (another
 * API key, the condition false, no key). Expression errors count as no key: a webhook that
 * does not fit one waiting process must not fail for it.
 */
export async function webhookCorrelationKey(
  input: WaitForWebhookInput,
  webhook: Pick<RunContext, 'payload' | 'tenantId' | 'webhookId'> & { webhook: NonNullable<RunContext['webhook']> },
): Promise<string | null> {
  const key = webhook.webhook;
  if (input.apiKeys && !input.apiKeys.includes(key.apiKeyName) && !input.apiKeys.includes(key.apiKeyId)) return null;
  const context = expressionContext(webhook);
  try {
    if (input.condition && !isTrue(await evaluate(context, input.condition))) return null;
    return correlationKey(await evaluate(context, input.webhookKey));
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

function correlationKey(value: unknown): string | null {
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return null;
  const key = String(value);
  return key.length > 0 && key.length <= MAX_CORRELATION_KEY ? key : null;
}
