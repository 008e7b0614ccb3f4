import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply } from 'fastify';
import { AppError, ErrorCode, HTTP_STATUS } from './app-error.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** What programs tell errors apart by; messages are for people and may change. */
  code: ErrorCode;
  /** What the client needs to act on the error (e.g. the JSON paths of a conflict). */
  details?: Record<string, unknown>;
}

const logger = new Logger('HttpError');

/** What a request with a body of a type the endpoint does not take is told (webhooks take these three). */
export const UNSUPPORTED_CONTENT_TYPE = 'Unsupported Content-Type: send application/json, multipart/form-data or application/x-www-form-urlencoded';

/** Turns anything thrown while serving a request into the one error shape of the API. */
export function toErrorResponse(error: unknown): { body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof AppError) {
    return { body: errorBody(error.code, error.message, error.details), headers: error.headers };
  }
  if (error instanceof HttpException && isFastifyError(error.cause)) {
    // Fastify's own errors (body limits, content types) arrive wrapped by the adapter.
    return { body: fastifyErrorBody(error.cause, error.getStatus()), headers: {} };
  }
  if (error instanceof HttpException) {
    // Nest's own: the 404 of an unknown route, mostly. The status stays Nest's; the code is the nearest.
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    return { body: bodyOf(error.getStatus(), codeForStatus(error.getStatus()), message), headers: {} };
  }
  if (isFastifyError(error) && error.statusCode! >= 400 && error.statusCode! < 500) {
    return { body: fastifyErrorBody(error, error.statusCode!), headers: {} };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { body: errorBody(ErrorCode.Internal, 'Internal server error'), headers: {} };
}

/** The error body for a code, with the code's HTTP status; for answers sent outside the filter too. */
export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  const body = bodyOf(HTTP_STATUS[code], code, message);
  return details ? { ...body, details } : body;
}

function bodyOf(statusCode: number, code: ErrorCode, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code };
}

/** For errors that carry only an HTTP status. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return ErrorCode.Unauthenticated;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 405:
      return ErrorCode.MethodNotAllowed;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 429:
      return ErrorCode.RateLimited;
    case 503:
      return ErrorCode.Transient;
    default:
      return status < 500 ? ErrorCode.InvalidArgument : ErrorCode.Internal;
  }
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as FastifyError).code === 'string' && typeof (error as FastifyError).statusCode === 'number';
}

/** Fastify's own errors, reworded where they would confuse a webhook sender. */
function fastifyErrorBody(error: FastifyError, status: number): ErrorBody {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyOf(status, ErrorCode.PayloadTooLarge, 'Request body is larger than the limit of this endpoint');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return bodyOf(status, ErrorCode.UnsupportedMediaType, UNSUPPORTED_CONTENT_TYPE);
    default:
      // The other content-parser errors (empty body, bad Content-Length…) are about the body.
      return bodyOf(status, error.code.startsWith('FST_ERR_CTP_') && status === 400 ? ErrorCode.InvalidBody : codeForStatus(status), error.message);
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { body, headers } = toErrorResponse(exception);
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}
