import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { TenantSecretsService } from '../secrets/tenant-secrets.service.js';
import { InputProblem } from './step-type.js';

/**
 * Where a definition takes a secret from: a secret of the tenant, by name, or an environment
 * variable of the worker whose name starts with PROCESS_ENV_PREFIX. `prefix` is put before the
 * value (e.g. "Bearer ").
 */
export type SecretReference = { secret: string; prefix?: string } | { env: string; prefix?: string };

export type ResolvedSecret = { ok: true; value: string } | { ok: false; problem: string };

@Injectable()
export class SecretReferences {
  static readonly schema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      secret: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
      env: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,127}$' },
      prefix: { type: 'string', maxLength: 64 },
    },
    oneOf: [{ required: ['secret'] }, { required: ['env'] }],
  };

  constructor(
    private readonly secrets: TenantSecretsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  static is(value: unknown): value is SecretReference {
    return typeof value === 'object' && value !== null && ('secret' in value || 'env' in value);
  }

  /**
   * Refuses, when a definition is saved or loaded, a variable outside the operator's prefix. The
   * message is the same whether the variable exists or not: a process author learns nothing of
   * the worker's environment.
   */
  check(reference: SecretReference, path: string): SecretReference {
    if ('env' in reference) {
      const prefix = this.config.processEnvPrefix;
      if (prefix === null) {
        throw new InputProblem(
          path,
          'environment variables cannot be referenced here (PROCESS_ENV_PREFIX is empty): store the value as a tenant secret and use {"secret": "<name>"}',
        );
      }
      if (!reference.env.startsWith(prefix)) {
        throw new InputProblem(
          path,
          `only environment variables whose name starts with ${prefix} can be referenced (PROCESS_ENV_PREFIX); or store the value as a tenant secret and use {"secret": "<name>"}`,
        );
      }
    }
    return reference;
  }

  async resolve(tenantId: string, reference: SecretReference): Promise<ResolvedSecret> {
    // Checked again here: a definition saved under another prefix must not reach outside this one.
    // A problem of the definition, not of the system: the run fails, it is not retried.
    try {
      this.check(reference, '');
    } catch (error) {
      if (error instanceof InputProblem) return { ok: false, problem: error.message };
      throw error;
    }
    const value = 'secret' in reference ? await this.secrets.reveal(tenantId, reference.secret) : process.env[reference.env];
    if (!value) {
      return {
        ok: false,
        problem: 'secret' in reference ? `the tenant has no secret named "${reference.secret}"` : `the environment variable ${reference.env} is not set`,
      };
    }
    return { ok: true, value: `${reference.prefix ?? ''}${value}` };
  }
}
