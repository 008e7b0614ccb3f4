import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { compileValue, evaluate, type StepCall, type StepResult, type StepType, type ValueSource } from '../step-type.js';

interface Input {
  message?: string;
  /** Or an expression for the message, e.g. "'Unknown form ' & formId". */
  messageFrom?: string;
}

/** Ends the run as failed with a message; the webhook is kept with that message as its reason. */
@Injectable()
export class FailStep implements StepType<Input, ValueSource> {
  readonly type = 'fail';
  readonly description = "Stops the run as failed, with a message that becomes the webhook's reason.";
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { message: { type: 'string', minLength: 1, maxLength: 1000 }, messageFrom: { type: 'string', minLength: 1 } },
    oneOf: [{ required: ['message'] }, { required: ['messageFrom'] }],
  };

  compile(input: Input): ValueSource {
    return input.message !== undefined ? { constant: input.message } : compileValue(input.messageFrom, '/messageFrom');
  }

  async execute({ input, run }: StepCall<ValueSource>): Promise<StepResult> {
    const message = String((await evaluate(run, input)) ?? 'The process failed');
    return { ok: false, error: new AppError(ErrorCode.ProcessFailed, message.slice(0, 1000)) };
  }
}
