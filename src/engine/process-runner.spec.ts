import { describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '../common/app-error.js';
import { DefinitionCompiler } from './definition-compiler.js';
import { ProcessRunner } from './process-runner.js';
import { StepRegistry } from './step-registry.js';
import { STEP_TOOLS, type StepResult, type StepType } from './step-type.js';

/** A step type that throws the error the test gives it. */
class ThrowingStep implements StepType {
  readonly type = 'throwing';
  readonly description = 'Throws.';
  readonly inputSchema = { type: 'object' };
  error: unknown = null;

  async execute(): Promise<StepResult> {
    throw this.error;
  }
}

const step = new ThrowingStep();
const compiled = new DefinitionCompiler(new StepRegistry([step as StepType<never, unknown>])).compile({
  id: 'throws',
  name: 'Throws',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'webhook' },
  steps: [{ id: 'boom', type: 'throwing' }],
});
if (!compiled.ok) throw new Error('the test definition does not compile');
const throwing = compiled.process;

function run() {
  return new ProcessRunner().run(throwing, {
    tenantId: 't',
    webhookId: 'w',
    payload: {},
    webhook: { id: 'w', apiKeyId: 'k', apiKeyName: 'Form', receivedAt: new Date(0).toISOString() },
  });
}

describe('ProcessRunner and an error a step throws', () => {
  it('ends the run failed with a code that does not pass by waiting (NOT_FOUND), naming the step in the trace', async () => {
    step.error = new AppError(ErrorCode.NotFound, 'No Country named "Atlantis"');
    const outcome = await run();
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: ErrorCode.NotFound, message: 'No Country named "Atlantis"' });
    expect(outcome.trace).toEqual([expect.objectContaining({ step: 'boom', status: 'failed', error: 'No Country named "Atlantis"' })]);
  });

  it.each([ErrorCode.Transient, ErrorCode.QueueUnavailable])('rethrows %s, so the job is retried', async (code) => {
    step.error = new AppError(code, 'Redis is away');
    await expect(run()).rejects.toMatchObject({ code });
  });

  it('rethrows any other exception as TRANSIENT', async () => {
    step.error = new Error('connection reset');
    await expect(run()).rejects.toMatchObject({ code: ErrorCode.Transient, message: 'Step "boom" failed: connection reset' });
  });
});

describe('STEP_TOOLS.error', () => {
  it('makes an AppError of a known code', () => {
    expect(STEP_TOOLS.error('NOT_FOUND', 'gone', { id: 'x' })).toMatchObject({ code: ErrorCode.NotFound, message: 'gone', details: { id: 'x' } });
  });

  it('makes an INTERNAL error naming a code that is not one (not retried: the step type must be mended)', () => {
    const error = STEP_TOOLS.error('GONE' as never, 'gone');
    expect(error).toMatchObject({
      code: ErrorCode.Internal,
      message: expect.stringMatching(/^gone \(the step type gave the error code "GONE", which is not one of INVALID_API_KEY, /),
    });
    expect(error.retryable).toBe(false);
  });
});
