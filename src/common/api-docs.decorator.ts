import { applyDecorators } from '@nestjs/common';
import { ApiResponse, DECORATORS, type ResponseObject, type SchemaObject } from '@nestjs/swagger';
import { ErrorCode, HTTP_STATUS } from './app-error.js';

/** What each code means, for the OpenAPI document (the README's "Errors" table says the same). */
export const ERROR_CODE_MEANINGS: Readonly<Record<ErrorCode, string>> = {
  [ErrorCode.InvalidApiKey]: 'The API key in the URL is unknown or revoked',
  [ErrorCode.InvalidSignature]: 'The signature headers the key requires are missing or do not match the body',
  [ErrorCode.Unauthenticated]: 'No valid access token, session or client credentials',
  [ErrorCode.Forbidden]: 'Authenticated, but the tenant or the scopes do not allow the action',
  [ErrorCode.MethodNotAllowed]: 'Public endpoints take POST only (see the Allow header)',
  [ErrorCode.UnsupportedMediaType]: 'A Content-Type without a parser, or a file in a multipart body',
  [ErrorCode.InvalidBody]: 'The body does not parse (JSON, form) or is not a JSON object',
  [ErrorCode.PayloadTooLarge]: 'The body is larger than the limit of the endpoint',
  [ErrorCode.QueueUnavailable]: 'The queue cannot take the webhook now; send it again later',
  [ErrorCode.RateLimited]: 'Over a rate limit (see the Retry-After header)',
  [ErrorCode.NotFound]: 'No such route, tenant, object, record, process or webhook',
  [ErrorCode.InvalidArgument]: 'A parameter or property is missing, unknown or out of range',
  [ErrorCode.Conflict]: 'The state does not allow it (a duplicate name, both sides changed a path: see details)',
  [ErrorCode.Unmappable]: 'The webhook cannot be turned into a record',
  [ErrorCode.ExpressionFailed]: 'An expression of a definition failed while running',
  [ErrorCode.HttpRejected]: 'An external system refused a request of an http-request step',
  [ErrorCode.ProcessFailed]: 'A fail step stopped the run on purpose',
  [ErrorCode.LimitExceeded]:
    'A limit was reached (waiting instances, a chain of processes started by records or calls, the items of a loop, the length of a wait)',
  [ErrorCode.InvalidDefinition]: 'A definition breaks the schema or names an unknown step type',
  [ErrorCode.Transient]: 'Database or network trouble that may pass; try again',
  [ErrorCode.Internal]: 'A fault of the service (its log has the details)',
};

export const ERROR_SCHEMA_NAME = 'Error';
const ERROR_REF = { $ref: `#/components/schemas/${ERROR_SCHEMA_NAME}` };

/** The body of every error answer (error.filter.ts), registered in the document by setUpOpenApi. */
export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'code'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status again', example: 404 },
    error: { type: 'string', description: 'The reason phrase of the status', example: 'Not Found' },
    message: { type: 'string', description: 'For people; may change between versions', example: 'No process "lead-intake"' },
    code: {
      type: 'string',
      enum: Object.values(ErrorCode),
      description:
        'For programs: stable between versions.\n\n| code | status | meaning |\n| --- | --- | --- |\n' +
        Object.values(ErrorCode)
          .map((code) => `| ${code} | ${HTTP_STATUS[code]} | ${ERROR_CODE_MEANINGS[code]} |`)
          .join('\n'),
      example: ErrorCode.NotFound,
    },
    details: { type: 'object', additionalProperties: true, description: 'With some codes: what a program needs to act on the error' },
  },
};

/** The error answers of an operation for its codes: one per HTTP status, with the shared error schema. */
export function errorResponses(...codes: ErrorCode[]): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {};
  for (const code of codes) {
    const status = String(HTTP_STATUS[code]);
    const line = `${code}: ${ERROR_CODE_MEANINGS[code]}`;
    responses[status] = {
      description: responses[status] ? `${responses[status].description}; ${line}` : line,
      content: { 'application/json': { schema: ERROR_REF } },
    };
  }
  return responses;
}

/**
 * Documents the error answers of an operation (on a method) or of every operation of a controller
 * (on the class), as errorResponses. Codes that share a status share one response. On a method,
 * Nest then leaves out its default success answer: declare that too (ApiOkResponse…).
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errorResponses(...codes)).map(([status, response]) =>
      ApiResponse({ status: Number(status), description: response.description, schema: ERROR_REF }),
    ),
  );
}

/**
 * The answers every admin route may give besides its own: a refused parameter or body (400), no
 * valid token or session (401), a tenant or scope the caller may not use (403), an unknown tenant
 * or resource (404). For the class of a controller under /api.
 */
export const ApiAdminErrors = (): MethodDecorator & ClassDecorator =>
  ApiErrors(ErrorCode.InvalidArgument, ErrorCode.InvalidBody, ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.NotFound);

/**
 * An operation without an OpenAPI security scheme: the key is in the URL (webhook endpoints), the
 * credentials are in the request (token, sign-in), or nothing is needed (health).
 */
export function ApiPublic(): MethodDecorator {
  // `security: []` (no requirement): ApiSecurity only adds requirements, and Nest drops an empty
  // list. Set on the operation itself, beside (in either order) what ApiOperation puts there.
  return (_target, _key, descriptor) => {
    const operation: object = Reflect.getMetadata(DECORATORS.API_OPERATION, descriptor.value as object) ?? {};
    Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, security: [] }, descriptor.value as object);
    return descriptor;
  };
}
