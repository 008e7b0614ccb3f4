import { Injectable } from '@nestjs/common';
import type { StepResult, StepType } from '../step-type.js';

/** Runs its "branches" side by side and goes on once all have ended (ProcessRunner.runParallel). */
@Injectable()
export class ParallelStep implements StepType {
  readonly type = 'parallel';
  readonly description =
    'Runs its "branches" (lists of steps) side by side and goes on once all have ended; one failing branch fails the step, after the others end.';
  readonly branches = ['branches'] as const;
  readonly inputSchema = { type: 'object', additionalProperties: false, properties: {} };

  async execute(): Promise<StepResult> {
    return { ok: true, output: null, parallel: true };
  }
}
