/**
 * The one error type of the service. The code decides the HTTP status (see error.filter.ts)
 * and, in the engine, whether a failed run is retried.
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
  /** A definition file or an unsaved definition breaks the schema or names an unknown step type. */
  InvalidDefinition = 'INVALID_DEFINITION',
  /** Database or network trouble that may pass: the job is retried. */
  Transient = 'TRANSIENT',
  Internal = 'INTERNAL',
}

/** Also the table of the README's "Errors" section and of the OpenAPI error schema. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidApiKey]: 401,
  [ErrorCode.InvalidSignature]: 401,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.InvalidBody]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.QueueUnavailable]: 503,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Unmappable]: 422,
  [ErrorCode.ExpressionFailed]: 422,
  [ErrorCode.ProcessFailed]: 422,
  [ErrorCode.HttpRejected]: 502,
  [ErrorCode.InvalidDefinition]: 400,
  [ErrorCode.Transient]: 503,
  [ErrorCode.Internal]: 500,
};

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

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  get retryable(): boolean {
    return this.code === ErrorCode.Transient;
  }
}
