import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { DefinitionCompiler, invalidDefinition } from './definition-compiler.js';
import type { CompiledProcess } from './compiled-process.js';
import { ProcessRunner, type RunInput, type RunOutcome } from './process-runner.js';
import { checkWaitChoices, chosenOutput, describeWait, type DryRunWait, type WaitChoices } from './dry-run-waits.js';

export interface DryRunResult {
  processId: string;
  version: number;
  /** False when the trigger would not start for the webhook's API key (trigger.apiKeys); the run is then 'skipped'. */
  started: boolean;
  status: RunOutcome['status'];
  /** `limit` when an expression ran into a limit of the service (time, sizes). */
  error: { code: string; message: string; limit?: true } | null;
  trace: RunOutcome['trace'];
  /** What the run would have written; a dry run writes nothing. */
  records: RunOutcome['plannedWrites'];
  /** Where it would wait (status waiting), for what: the waits no choice was given for. */
  waits: DryRunWait[];
}

/** The API key a webhook was (or would be) sent with. */
export interface DryRunKey {
  id: string;
  name: string;
}

/**
 * Dry runs (and what-if comparisons) a tenant may have running at once, in this process. A dry
 * run is open to viewers and evaluates expressions a caller wrote: without a limit, a few
 * concurrent requests would keep the service busy for every other tenant.
 */
export const DRY_RUNS_PER_TENANT = 2;
const BUSY_RETRY_AFTER_SECONDS = 1;
/** How many times a dry run goes on past waits (a wait in a loop of many items is one each time). */
export const DRY_RUN_MAX_RESUMES = 100;

/** Runs a definition (saved or not) against a sample payload for a tenant, with no side effects. */
@Injectable()
export class DryRunService {
  private readonly running = new Map<string, number>();

  constructor(
    private readonly compiler: DefinitionCompiler,
    private readonly runner: ProcessRunner,
    private readonly tenants: TenantsService,
  ) {}

  /**
   * A dry run of a definition; with a key, a trigger restricted to other keys does not start, as
   * live. A draft whose expression runs into a limit of the service is refused (422
   * EXPRESSION_FAILED) rather than reported as a failed run: it would fail every live run too.
   */
  async test(tenantId: string, definition: unknown, payload: unknown, apiKey?: DryRunKey, waits?: unknown): Promise<DryRunResult> {
    const process = this.compile(definition);
    const choices = checkWaitChoices(waits, process.steps);
    const result = await this.limited(tenantId, () => this.run(tenantId, process, payload, apiKey, choices));
    if (result.error?.limit) throw new AppError(ErrorCode.ExpressionFailed, result.error.message, {}, { limit: true });
    return result;
  }

  /** Runs `work` as one of the tenant's DRY_RUNS_PER_TENANT concurrent dry runs, or answers 429 RATE_LIMITED. */
  async limited<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    const running = this.running.get(tenantId) ?? 0;
    if (running >= DRY_RUNS_PER_TENANT) {
      throw new AppError(
        ErrorCode.RateLimited,
        `This tenant already has ${DRY_RUNS_PER_TENANT} dry runs or what-if comparisons running; retry when one has finished`,
        { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
        { limit: 'dry-runs', concurrent: DRY_RUNS_PER_TENANT },
      );
    }
    this.running.set(tenantId, running + 1);
    try {
      return await work();
    } finally {
      const left = (this.running.get(tenantId) ?? 1) - 1;
      if (left > 0) this.running.set(tenantId, left);
      else this.running.delete(tenantId);
    }
  }

  compile(definition: unknown): CompiledProcess {
    const compiled = this.compiler.compile(definition);
    if (!compiled.ok) throw invalidDefinition(compiled.problems);
    return compiled.process;
  }

  /** A dry run; `choices` say how it goes on past the waits it meets (without one for a wait, it stops there). */
  async run(tenantId: string, process: CompiledProcess, payload: unknown, apiKey?: DryRunKey, choices: WaitChoices = {}): Promise<DryRunResult> {
    await this.tenants.get(tenantId);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new AppError(ErrorCode.InvalidArgument, 'The sample payload must be a JSON object of parameters');
    }
    const { id, version, trigger } = process.definition;
    const apiKeys = trigger.type === 'webhook' ? trigger.apiKeys : undefined;
    // The same rule as live dispatch (EffectiveProcesses.startedBy): a key by name or by id.
    if (apiKey && apiKeys && !apiKeys.includes(apiKey.name) && !apiKeys.includes(apiKey.id)) {
      return {
        processId: id,
        version,
        started: false,
        status: 'skipped',
        error: null,
        trace: [
          {
            step: 'trigger',
            type: 'apiKeys',
            status: 'ok',
            durationMs: 0,
            output: `would not start: the trigger is restricted to the API keys ${apiKeys.map((key) => JSON.stringify(key)).join(', ')}, not ${JSON.stringify(apiKey.name || apiKey.id)}`,
          },
        ],
        records: [],
        waits: [],
      };
    }
    const key = apiKey ?? { id: 'dry-run', name: 'dry-run' };
    const webhookId = randomUUID();
    const outcome = await this.runPastWaits(process, choices, {
      tenantId,
      webhookId,
      payload: payload as Record<string, unknown>,
      webhook: { id: webhookId, apiKeyId: key.id, apiKeyName: key.name, receivedAt: new Date().toISOString() },
      dryRun: true,
    });
    return {
      processId: id,
      version,
      started: true,
      status: outcome.status,
      error: outcome.error
        ? { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.details?.limit ? { limit: true as const } : {}) }
        : null,
      trace: outcome.trace,
      records: outcome.plannedWrites,
      waits: outcome.status === 'waiting' ? outcome.waits.map((wait) => ({ step: wait.step, kind: wait.kind, says: describeWait(wait) })) : [],
    };
  }

  /**
   * Runs, and while the run waits where a choice says how to go on, resumes it from there as a
   * worker would (the steps done are replayed): one outcome with every pass's trace and writes.
   */
  private async runPastWaits(process: CompiledProcess, choices: WaitChoices, input: RunInput): Promise<RunOutcome> {
    let outcome = await this.runner.run(process, input);
    const trace = [...outcome.trace];
    const plannedWrites = [...outcome.plannedWrites];
    for (let resumes = 0; outcome.status === 'waiting' && outcome.state && resumes < DRY_RUN_MAX_RESUMES; resumes++) {
      const resolved: Record<string, unknown> = {};
      for (const wait of outcome.waits) {
        const output = chosenOutput(wait, choices);
        if (output !== undefined) resolved[wait.step] = output;
      }
      if (Object.keys(resolved).length === 0) break;
      const pending = outcome.waits.filter((wait) => !(wait.step in resolved));
      outcome = await this.runner.run(process, { ...input, resume: { state: outcome.state, resolved, failed: {}, pending, recordIds: [] } });
      trace.push(...outcome.trace);
      plannedWrites.push(...outcome.plannedWrites);
    }
    return { ...outcome, trace, plannedWrites };
  }
}
