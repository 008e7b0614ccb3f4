import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply } from 'fastify';
import { AppError } from './app-error.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const logger = new Logger('HttpError');

/** Turns anything thrown while serving a request into the one error shape of the API. */
export function toErrorResponse(error: unknown): { body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof AppError) {
    return { body: errorBody(error.httpStatus, error.message), headers: error.headers };
  }
  if (error instanceof HttpException && isFastifyError(error.cause)) {
    // Fastify's own errors (body limits, content types) arrive wrapped by the adapter.
    return { body: errorBody(error.getStatus(), fastifyMessage(error.cause)), headers: {} };
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message =
      typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    return { body: errorBody(error.getStatus(), message), headers: {} };
  }
  if (isFastifyError(error) && error.statusCode! >= 400 && error.statusCode! < 500) {
    return { body: errorBody(error.statusCode!, fastifyMessage(error)), headers: {} };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { body: errorBody(500, 'Internal server error'), headers: {} };
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as FastifyError).code === 'string' && typeof (error as FastifyError).statusCode === 'number';
}

/** Fastify's own messages, reworded where they would confuse a webhook sender. */
function fastifyMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is larger than the limit of this endpoint';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type: send application/json, multipart/form-data or application/x-www-form-urlencoded';
    default:
      return error.message;
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
