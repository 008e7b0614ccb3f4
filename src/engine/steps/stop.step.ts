import { Injectable } from '@nestjs/common';
import type { StepCall, StepResult, StepType } from '../step-type.js';

interface Input {
  reason?: string;
}

/** Ends the run successfully here: nothing more to do for this webhook. */
@Injectable()
export class StopStep implements StepType<Input> {
  readonly type = 'stop';
  readonly description = 'Ends the run successfully; the steps after it do not run.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { reason: { type: 'string', maxLength: 1000 } },
  };

  async execute({ input }: StepCall<Input>): Promise<StepResult> {
    return { ok: true, output: input.reason ?? null, stop: true };
  }
}
