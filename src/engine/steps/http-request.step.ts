import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { redactSecrets, urlForDisplay } from '../../common/redaction.js';
import { OutboundHttp } from '../outbound-http.js';
import { SecretReferences, type SecretReference } from '../secret-references.js';
import { compileFields, compileValue, evaluate, evaluateFields, type StepCall, type StepResult, type StepType, type ValueSource } from '../step-type.js';

interface Input {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url?: string;
  /** Or an expression that yields the URL. */
  urlFrom?: string;
  /** Header → expression (a string), constant, or a secret reference ({"secret": "crm-token", "prefix": "Bearer "}). */
  headers?: Record<string, unknown>;
  /** A JSON body: field → expression (a string) or constant. */
  body?: Record<string, unknown>;
  /** Or an expression that yields the whole JSON body. */
  bodyFrom?: string;
  timeoutMs?: number;
  auth?: {
    type: 'oauth2-client-credentials';
    tokenUrl: string;
    clientId: string;
    /** A tenant secret ({"secret": "crm"}) or an environment variable under PROCESS_ENV_PREFIX ({"env": …}). */
    clientSecret?: SecretReference;
    /** Older spelling of {"env": …}, under the same prefix rule. */
    clientSecretEnv?: string;
    scope?: string;
  };
}

interface Compiled {
  method: string;
  url: ValueSource;
  headers: Map<string, ValueSource>;
  /** Headers whose value is a secret: sent, never traced. */
  secretHeaders: Map<string, SecretReference>;
  body: Map<string, ValueSource> | ValueSource | null;
  timeoutMs: number;
  auth: { tokenUrl: string; clientId: string; clientSecret: SecretReference; scope?: string } | null;
}

const SECRET_HEADER = /authorization|cookie|token|secret|api-?key|signature/i;

/**
 * Calls an external system. 2xx: the output is { status, body }. 5xx, timeouts and network
 * errors are worth another attempt (the job retries with backoff); 4xx and refused addresses
 * fail the run. Each request carries an Idempotency-Key of webhook, process and step, so a
 * retried run can be recognised by systems that honour it. In a dry run nothing is sent.
 */
@Injectable()
export class HttpRequestStep implements StepType<Input, Compiled> {
  readonly type = 'http-request';
  readonly description = 'Sends an HTTP request (JSON body from expressions) to an external system.';
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      url: { type: 'string', pattern: '^https?://' },
      urlFrom: { type: 'string', minLength: 1 },
      headers: {
        type: 'object',
        maxProperties: 50,
        additionalProperties: { anyOf: [{ type: ['string', 'number', 'boolean'] }, SecretReferences.schema] },
      },
      body: { type: 'object' },
      bodyFrom: { type: 'string', minLength: 1 },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 30_000 },
      auth: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'tokenUrl', 'clientId'],
        properties: {
          type: { const: 'oauth2-client-credentials' },
          tokenUrl: { type: 'string', pattern: '^https?://' },
          clientId: { type: 'string', minLength: 1 },
          clientSecret: SecretReferences.schema,
          clientSecretEnv: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
          scope: { type: 'string' },
        },
        oneOf: [{ required: ['clientSecret'] }, { required: ['clientSecretEnv'] }],
      },
    },
    allOf: [{ oneOf: [{ required: ['url'] }, { required: ['urlFrom'] }] }, { not: { required: ['body', 'bodyFrom'] } }],
  };

  constructor(
    private readonly http: OutboundHttp,
    private readonly secrets: SecretReferences,
  ) {}

  compile(input: Input): Compiled {
    const plain: Record<string, unknown> = {};
    const secretHeaders = new Map<string, SecretReference>();
    for (const [name, value] of Object.entries(input.headers ?? {})) {
      if (SecretReferences.is(value)) secretHeaders.set(name.toLowerCase(), this.secrets.check(value, `/headers/${name}`));
      else plain[name] = value;
    }
    const auth = input.auth;
    return {
      method: input.method ?? 'POST',
      url: input.url !== undefined ? { constant: input.url } : compileValue(input.urlFrom, '/urlFrom'),
      headers: compileFields(plain, '/headers'),
      secretHeaders,
      body: input.body ? compileFields(input.body, '/body') : input.bodyFrom ? compileValue(input.bodyFrom, '/bodyFrom') : null,
      timeoutMs: input.timeoutMs ?? 5000,
      auth: auth
        ? {
            tokenUrl: auth.tokenUrl,
            clientId: auth.clientId,
            scope: auth.scope,
            clientSecret: auth.clientSecret
              ? this.secrets.check(auth.clientSecret, '/auth/clientSecret')
              : this.secrets.check({ env: auth.clientSecretEnv! }, '/auth/clientSecretEnv'),
          }
        : null,
    };
  }

  async execute({ step, input, run }: StepCall<Compiled>): Promise<StepResult> {
    const url = await evaluate(run, input.url);
    if (typeof url !== 'string') return rejected(`the URL must be text, got ${typeof url}`);
    const headers: Record<string, string> = { 'idempotency-key': `${run.writeKey}:${step.id}` };
    for (const [name, value] of Object.entries(await evaluateFields(run, input.headers))) headers[name.toLowerCase()] = String(value);
    let body: string | undefined;
    if (input.body) {
      const value = input.body instanceof Map ? await evaluateFields(run, input.body) : await evaluate(run, input.body);
      body = JSON.stringify(value ?? null);
      headers['content-type'] ??= 'application/json';
    }
    for (const name of input.secretHeaders.keys()) headers[name] = '[secret]';
    // Traces and reasons are read by viewers: no user info, query values or secret-looking fields.
    const shown = urlForDisplay(url);
    const request = { method: input.method, url: shown, headers: redact(headers), body: body ? redactSecrets(JSON.parse(body)) : undefined };
    if (run.dryRun) return { ok: true, output: { status: null, body: null }, trace: { request, dryRun: 'not sent' } };
    for (const [name, reference] of input.secretHeaders) {
      const value = await this.secrets.resolve(run.tenantId, reference);
      if (!value.ok) return rejected(`header ${name}: ${value.problem}`);
      headers[name] = value.value;
    }
    if (input.auth) {
      const secret = await this.secrets.resolve(run.tenantId, input.auth.clientSecret);
      if (!secret.ok) return rejected(`client secret: ${secret.problem}`);
      const token = await this.http.clientCredentialsToken(input.auth.tokenUrl, input.auth.clientId, secret.value, input.auth.scope);
      headers.authorization = `Bearer ${token}`;
    }
    const response = await this.http.send({ method: input.method, url, headers, body, timeoutMs: input.timeoutMs });
    const trace = { request, response: { status: response.status, body: redactSecrets(response.body) } };
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      // Thrown: the system on the other side may recover, so the job retries.
      throw new AppError(ErrorCode.Transient, `${input.method} ${shown} answered ${response.status}`);
    }
    if (response.status >= 400 || response.status < 200) {
      return {
        ok: false,
        error: new AppError(ErrorCode.HttpRejected, `${input.method} ${shown} answered ${response.status}: ${preview(redactSecrets(response.body))}`),
      };
    }
    return { ok: true, output: { status: response.status, body: response.body }, trace };
  }
}

function rejected(message: string): StepResult {
  return { ok: false, error: new AppError(ErrorCode.HttpRejected, message) };
}

function redact(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? '[redacted]' : value]));
}

function preview(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').slice(0, 300);
}
