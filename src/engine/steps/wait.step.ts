import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { addIsoDuration, isoDurationSchema, parseIsoDuration, type IsoDuration } from '../../common/iso-duration.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Expression } from '../expression.js';
import { compileExpression, evaluate, InputProblem, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  duration?: string;
  until?: string;
}

type Compiled = { duration: IsoDuration } | { until: Expression };

/**
 * When a wait with a timeout step (wait-for-webhook, wait-for-approval) times out: after its
 * `timeout`, or after WAIT_MAX_DAYS without one; a timeout longer than that is an error.
 */
export function timeoutOf(timeout: IsoDuration | null, maxMs: number, now = new Date()): Date | AppError {
  const at = timeout ? addIsoDuration(now, timeout) : new Date(now.getTime() + maxMs);
  if (at.getTime() - now.getTime() <= maxMs) return at;
  return new AppError(ErrorCode.LimitExceeded, `A timeout of more than ${Math.round(maxMs / DAY_MS)} days (WAIT_MAX_DAYS) is not allowed`);
}

/** Used when the configuration is not at hand (definitions compiled without a service). */
export const DEFAULT_WAIT_MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/**
 * Parks the instance for a duration or until a time. Nothing runs while it waits: the instance
 * is a row in the database and a delayed job in Redis (re-armed from the row if Redis loses it).
 * Its output, once over, is `{ "until": <ISO time> }`.
 */
@Injectable()
export class WaitStep implements StepType<Input, Compiled> {
  readonly type = 'wait';
  readonly description = 'Waits for a duration (ISO 8601, e.g. "PT10M", "P2D") or until a time (an expression), then goes on.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      duration: isoDurationSchema('How long to wait, ISO 8601: "PT10M", "PT1H", "P2D", "P1W".'),
      until: { type: 'string', minLength: 1, description: 'Expression giving the ISO 8601 time to wait until; a time past goes on at once.' },
    },
    oneOf: [{ required: ['duration'] }, { required: ['until'] }],
  };
  private readonly maxMs: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.maxMs = (config?.waitMaxDays ?? DEFAULT_WAIT_MAX_DAYS) * DAY_MS;
  }

  compile(input: Input): Compiled {
    if (input.until !== undefined) return { until: compileExpression(input.until, '/until') };
    const duration = parseIsoDuration(input.duration ?? '');
    if (!duration) throw new InputProblem('/duration', `"${input.duration}" is not an ISO 8601 duration such as "PT10M" or "P2D"`);
    return { duration };
  }

  async execute({ input, run }: StepCall<Compiled>): Promise<StepResult> {
    const now = new Date();
    let until: Date;
    if ('duration' in input) until = addIsoDuration(now, input.duration);
    else {
      const value = await evaluate(run, input.until);
      const time = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date(NaN);
      if (Number.isNaN(time.getTime())) {
        return {
          ok: false,
          error: new AppError(ErrorCode.ExpressionFailed, `"until" gave ${JSON.stringify(value) ?? 'nothing'}, which is not an ISO 8601 time`),
        };
      }
      until = time;
    }
    if (until.getTime() - now.getTime() > this.maxMs) {
      const days = Math.round(this.maxMs / DAY_MS);
      return { ok: false, error: new AppError(ErrorCode.LimitExceeded, `A wait until ${until.toISOString()} is longer than ${days} days (WAIT_MAX_DAYS)`) };
    }
    const output = { until: until.toISOString() };
    if (until <= now) return { ok: true, output };
    return { ok: true, output, wait: { kind: 'timer', until }, trace: { waitsUntil: output.until } };
  }
}
