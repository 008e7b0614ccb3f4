import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { DefinitionCompiler } from './definition-compiler.js';
import type { CompiledProcess } from './process-definition.js';
import { ProcessRunner, type RunOutcome } from './process-runner.js';

export interface DryRunResult {
  processId: string;
  version: number;
  status: RunOutcome['status'];
  error: { code: string; message: string } | null;
  trace: RunOutcome['trace'];
  /** What the run would have written; a dry run writes nothing. */
  records: RunOutcome['plannedWrites'];
}

/** Runs a definition (saved or not) against a sample payload for a tenant, with no side effects. */
@Injectable()
export class DryRunService {
  constructor(
    private readonly compiler: DefinitionCompiler,
    private readonly runner: ProcessRunner,
    private readonly tenants: TenantsService,
  ) {}

  async test(
    tenantId: string,
    definition: unknown,
    payload: unknown,
    apiKey: { id: string; name: string } = { id: 'dry-run', name: 'dry-run' },
  ): Promise<DryRunResult> {
    return this.run(tenantId, this.compile(definition), payload, apiKey);
  }

  compile(definition: unknown): CompiledProcess {
    const compiled = this.compiler.compile(definition);
    if (!compiled.ok) {
      throw new AppError(ErrorCode.InvalidDefinition, `Invalid process definition:\n  ${compiled.problems.join('\n  ')}`);
    }
    return compiled.process;
  }

  async run(
    tenantId: string,
    process: CompiledProcess,
    payload: unknown,
    apiKey: { id: string; name: string } = { id: 'dry-run', name: 'dry-run' },
  ): Promise<DryRunResult> {
    await this.tenants.get(tenantId);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new AppError(ErrorCode.InvalidArgument, 'The sample payload must be a JSON object of parameters');
    }
    const webhookId = randomUUID();
    const outcome = await this.runner.run(process, {
      tenantId,
      webhookId,
      payload: payload as Record<string, unknown>,
      webhook: { id: webhookId, apiKeyId: apiKey.id, apiKeyName: apiKey.name, receivedAt: new Date().toISOString() },
      dryRun: true,
    });
    const { id, version } = process.definition;
    return {
      processId: id,
      version,
      status: outcome.status,
      error: outcome.error ? { code: outcome.error.code, message: outcome.error.message } : null,
      trace: outcome.trace,
      records: outcome.plannedWrites,
    };
  }
}
