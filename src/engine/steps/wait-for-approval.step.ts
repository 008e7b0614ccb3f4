import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { isoDurationSchema, parseIsoDuration, type IsoDuration } from '../../common/iso-duration.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Expression } from '../expression.js';
import { compileExpression, evaluate, InputProblem, type StepCall, type StepResult, type StepType } from '../step-type.js';
import { DEFAULT_WAIT_MAX_DAYS, timeoutOf } from './wait.step.js';

interface Input {
  title: string;
  details?: string;
  timeout?: string;
}

export interface WaitForApprovalInput {
  title: string;
  details: Expression | null;
  timeout: IsoDuration | null;
}

/** What an approver reads is kept with the task: its JSON is at most this long. */
export const MAX_APPROVAL_DETAILS_CHARS = 16_384;
const DAY_MS = 86_400_000;

/**
 * A user task: parks the instance until someone with the analyst role approves or rejects it
 * (the console's Tasks inbox, the admin API or the CLI), or until the timeout. Its output is
 * `{ timedOut, decision, by, at, comment }`; a `switch` on `decision` takes it from there.
 */
@Injectable()
export class WaitForApprovalStep implements StepType<Input, WaitForApprovalInput> {
  readonly type = 'wait-for-approval';
  readonly description =
    'Waits until someone approves or rejects a task in the Tasks inbox (or the admin API), or until the "timeout"; its output is { decision, by, at, comment }.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['title'],
    properties: {
      title: { type: 'string', minLength: 1, maxLength: 200, description: 'What the task asks, as the inbox lists it, e.g. "Approve the discount".' },
      details: {
        type: 'string',
        minLength: 1,
        description: "Expression giving what the approver decides on, e.g. \"{ 'customer': name, 'discount': $vars.discount }\".",
      },
      timeout: isoDurationSchema('How long the task stays open, ISO 8601 ("P3D"); then the output is { "timedOut": true }. Without it: WAIT_MAX_DAYS.'),
    },
  };
  private readonly maxMs: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.maxMs = (config?.waitMaxDays ?? DEFAULT_WAIT_MAX_DAYS) * DAY_MS;
  }

  compile(input: Input): WaitForApprovalInput {
    const timeout = input.timeout === undefined ? null : parseIsoDuration(input.timeout);
    if (input.timeout !== undefined && !timeout) throw new InputProblem('/timeout', `"${input.timeout}" is not an ISO 8601 duration such as "P3D"`);
    return { title: input.title, details: input.details === undefined ? null : compileExpression(input.details, '/details'), timeout };
  }

  async execute({ input, run }: StepCall<WaitForApprovalInput>): Promise<StepResult> {
    const details = input.details ? ((await evaluate(run, input.details)) ?? null) : null;
    const size = JSON.stringify(details)?.length ?? 0;
    if (size > MAX_APPROVAL_DETAILS_CHARS) {
      return {
        ok: false,
        error: new AppError(ErrorCode.ExpressionFailed, `"details" gave ${size} characters of JSON; a task keeps at most ${MAX_APPROVAL_DETAILS_CHARS}`),
      };
    }
    const timeoutAt = timeoutOf(input.timeout, this.maxMs);
    if (timeoutAt instanceof AppError) return { ok: false, error: timeoutAt };
    return {
      ok: true,
      wait: { kind: 'approval', title: input.title, details, timeoutAt },
      trace: { waitsForApproval: { title: input.title, timeoutAt: timeoutAt.toISOString() } },
    };
  }
}
