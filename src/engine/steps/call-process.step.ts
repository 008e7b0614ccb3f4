import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { EffectiveProcesses } from '../effective-processes.js';
import type { Expression } from '../expression.js';
import { compileExpression, evaluate, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  process: string;
  payload?: string;
  wait?: boolean;
}

interface Compiled {
  process: string;
  payload: Expression;
  wait: boolean;
}

/** Used when the configuration is not at hand (definitions compiled without a service). */
const DEFAULT_MAX_DEPTH = 5;

/**
 * Starts an instance of another process of the tenant (base, override or custom, switched on or
 * not: a sub-process may exist only to be called), with `payload` as its `$`. With `wait`, this
 * instance waits until that one ends: its output is `{ instanceId, status, steps, vars }`, and
 * the step fails when the called instance fails. Without, it goes on at once with
 * `{ instanceId, processId }`. Calls nest at most CALL_PROCESS_MAX_DEPTH deep, which also
 * stops a process that calls itself.
 */
@Injectable()
export class CallProcessStep implements StepType<Input, Compiled> {
  readonly type = 'call-process';
  readonly description = 'Starts another process of the tenant with a payload, and waits for its result when "wait" is true.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['process'],
    properties: {
      process: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,99}$', description: 'The id of the process to start.' },
      payload: { type: 'string', minLength: 1, description: 'Expression giving the object that is the called process\'s "$" (default: "$").' },
      wait: { type: 'boolean', description: "Wait until the called instance ends; its outputs become this step's output." },
    },
  };
  private readonly maxDepth: number;

  // EffectiveProcesses compiles definitions with the step types, this one among them: it is
  // looked up when a step runs, not injected.
  constructor(
    @Optional() private readonly modules?: ModuleRef,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.maxDepth = config?.callProcessMaxDepth ?? DEFAULT_MAX_DEPTH;
  }

  compile(input: Input): Compiled {
    return { process: input.process, payload: compileExpression(input.payload ?? '$', '/payload'), wait: input.wait ?? false };
  }

  async execute({ input, run }: StepCall<Compiled>): Promise<StepResult> {
    const depth = (run.depth ?? 0) + 1;
    if (depth > this.maxDepth) {
      const message = `Calling "${input.process}" would nest processes ${depth} deep; at most ${this.maxDepth} are allowed (CALL_PROCESS_MAX_DEPTH)`;
      return { ok: false, error: new AppError(ErrorCode.LimitExceeded, message) };
    }
    const processes = this.modules?.get(EffectiveProcesses, { strict: false });
    const known = processes ? (await processes.forTenant(run.tenantId)).some((entry) => entry.process.definition.id === input.process) : true;
    if (!known) return { ok: false, error: new AppError(ErrorCode.ProcessFailed, `The tenant has no process "${input.process}" to call`) };
    const payload = await evaluate(run, input.payload);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return { ok: false, error: new AppError(ErrorCode.ExpressionFailed, `"payload" gave ${JSON.stringify(payload) ?? 'nothing'}, not an object`) };
    }
    if (run.dryRun) return { ok: true, output: { wouldCall: input.process, payload, wait: input.wait } };
    return { ok: true, call: { processId: input.process, payload: payload as Record<string, unknown>, wait: input.wait } };
  }
}
