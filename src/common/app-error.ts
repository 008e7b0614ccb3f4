/**
 * The one error type of the service. The code decides the HTTP status (see error.filter.ts)
 * and what becomes of a run that fails with it: retried or not, the webhook `received` or
 * `failed` (ERROR_CODES).
 */
export enum ErrorCode {
  InvalidApiKey = 'INVALID_API_KEY',
  InvalidSignature = 'INVALID_SIGNATURE',
  /** No valid access token for the admin API. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** A valid token whose tenant or scopes do not allow the action. */
  Forbidden = 'FORBIDDEN',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  InvalidBody = 'INVALID_BODY',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  QueueUnavailable = 'QUEUE_UNAVAILABLE',
  RateLimited = 'RATE_LIMITED',
  NotFound = 'NOT_FOUND',
  InvalidArgument = 'INVALID_ARGUMENT',
  Conflict = 'CONFLICT',
  /** A webhook cannot be turned into a record (unknown object, missing or unconvertible value…). */
  Unmappable = 'UNMAPPABLE',
  /** An expression of a definition failed or ran past its limits while running. */
  ExpressionFailed = 'EXPRESSION_FAILED',
  /** An external system refused a request of an http-request step (4xx), or the address is not allowed. */
  HttpRejected = 'HTTP_REJECTED',
  /** A `fail` step of a process stopped the run on purpose. */
  ProcessFailed = 'PROCESS_FAILED',
  /** A limit was reached: a tenant's waiting instances, a chain of processes started by records or calls, a loop's items, a wait's length. */
  LimitExceeded = 'LIMIT_EXCEEDED',
  /** A definition file or an unsaved definition breaks the schema or names an unknown step type. */
  InvalidDefinition = 'INVALID_DEFINITION',
  /** Database or network trouble that may pass: the job is retried. */
  Transient = 'TRANSIENT',
  Internal = 'INTERNAL',
}

/**
 * What a run that fails with a code becomes, the one rule for the engine, the worker and the queue:
 * - `webhook`: a problem of the webhook, its definition or the tenant's data. It fails the same
 *   way however often it is tried, so it is not retried; the webhook is kept as `received` with
 *   the reason, to be replayed once the data or the definition is fixed.
 * - `transient`: trouble of a system that may pass (database, network, Redis, a 5xx or 429
 *   answer). The job is retried; after the last attempt the webhook is `failed`.
 * - `system`: a fault of the service or of its set-up that waiting does not mend (a bug, its own
 *   credentials refused). Not retried; the webhook is `failed`, worth a replay once it is mended.
 */
export type FailureKind = 'webhook' | 'transient' | 'system';

/** Each code's HTTP status and failure kind. Also the table of the README's "Errors" section and of the OpenAPI error schema. */
export const ERROR_CODES: Readonly<Record<ErrorCode, { status: number; failure: FailureKind }>> = {
  [ErrorCode.InvalidApiKey]: { status: 401, failure: 'webhook' },
  [ErrorCode.InvalidSignature]: { status: 401, failure: 'webhook' },
  [ErrorCode.Unauthenticated]: { status: 401, failure: 'system' },
  [ErrorCode.Forbidden]: { status: 403, failure: 'system' },
  [ErrorCode.MethodNotAllowed]: { status: 405, failure: 'webhook' },
  [ErrorCode.UnsupportedMediaType]: { status: 415, failure: 'webhook' },
  [ErrorCode.InvalidBody]: { status: 400, failure: 'webhook' },
  [ErrorCode.PayloadTooLarge]: { status: 413, failure: 'webhook' },
  [ErrorCode.QueueUnavailable]: { status: 503, failure: 'transient' },
  [ErrorCode.RateLimited]: { status: 429, failure: 'transient' },
  [ErrorCode.NotFound]: { status: 404, failure: 'webhook' },
  [ErrorCode.InvalidArgument]: { status: 400, failure: 'webhook' },
  [ErrorCode.Conflict]: { status: 409, failure: 'webhook' },
  [ErrorCode.Unmappable]: { status: 422, failure: 'webhook' },
  [ErrorCode.ExpressionFailed]: { status: 422, failure: 'webhook' },
  [ErrorCode.ProcessFailed]: { status: 422, failure: 'webhook' },
  [ErrorCode.LimitExceeded]: { status: 422, failure: 'webhook' },
  [ErrorCode.HttpRejected]: { status: 502, failure: 'webhook' },
  [ErrorCode.InvalidDefinition]: { status: 400, failure: 'webhook' },
  [ErrorCode.Transient]: { status: 503, failure: 'transient' },
  [ErrorCode.Internal]: { status: 500, failure: 'system' },
};

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.fromEntries(
  Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]),
) as Record<ErrorCode, number>;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * The failure kind of a code as a run stores it. A code this version does not know (written by
 * another one) counts as the system's: the webhook is left `failed`, so it can be replayed.
 */
export function failureKind(code: string | null | undefined): FailureKind {
  return isErrorCode(code) ? ERROR_CODES[code].failure : 'system';
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Response headers that belong to this error (Allow, Retry-After). */
    readonly headers: Record<string, string> = {},
    /** What a client needs to act on the error (e.g. the JSON paths of a conflict); sent with its code. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /**
   * The error as an AppError: itself, or one made from an Error named "AppError" with a known
   * code, which is how code that cannot import this class (a step type module of its own
   * package) reports one. Anything else: null.
   */
  static from(error: unknown): AppError | null {
    if (error instanceof AppError) return error;
    if (!(error instanceof Error) || error.name !== 'AppError') return null;
    const { code, details } = error as Error & { code?: unknown; details?: unknown };
    if (!isErrorCode(code)) return null;
    return new AppError(code, error.message, {}, typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : undefined);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  /** Whether the job that met this error is tried again (see FailureKind). */
  get retryable(): boolean {
    return ERROR_CODES[this.code].failure === 'transient';
  }

  /** Whether the error says what is wrong with the webhook, its definition or the tenant's data (see FailureKind). */
  get problemOfWebhook(): boolean {
    return ERROR_CODES[this.code].failure === 'webhook';
  }
}

/**
 * Whether a job that met this error is tried again: an AppError (or one that reports itself as
 * such) when its code's failure kind is `transient`; anything else is presumed trouble of the
 * system that may pass (a driver's error, a dropped connection), as ProcessRunner treats it.
 */
export function isRetryable(error: unknown): boolean {
  return AppError.from(error)?.retryable ?? true;
}
