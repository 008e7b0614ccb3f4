import { describe, expect, it } from '@jest/globals';
import { HttpException, Logger, NotFoundException } from '@nestjs/common';
import { AppError, ErrorCode } from './app-error.js';
import { toErrorResponse } from './error.filter.js';

/** A Fastify error as its content parser throws it: a string code and a status. */
function fastifyError(code: string, statusCode: number, message = 'fastify says no'): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toErrorResponse', () => {
  it('an AppError: its code, its status, its details and headers', () => {
    const error = new AppError(ErrorCode.Conflict, 'both changed', { 'retry-after': '1' }, { paths: ['/a'] });
    expect(toErrorResponse(error)).toEqual({
      body: { statusCode: 409, error: 'Conflict', message: 'both changed', code: 'CONFLICT', details: { paths: ['/a'] } },
      headers: { 'retry-after': '1' },
    });
  });

  it('a Nest HttpException: its status, and the code for that status', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x')).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /x',
      code: 'NOT_FOUND',
    });
    expect(toErrorResponse(new HttpException('teapot', 418)).body).toMatchObject({ statusCode: 418, code: 'INVALID_ARGUMENT' });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'INVALID_BODY'],
    ['FST_ERR_BAD_URL', 400, 'INVALID_ARGUMENT'],
    ['FST_REQ_FILE_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
  ])('a Fastify error %s, bare or wrapped by Nest: %i %s', (fastifyCode, status, code) => {
    const error = fastifyError(fastifyCode, status);
    const wrapped = new HttpException('wrapped', status, { cause: error });
    for (const thrown of [error, wrapped]) expect(toErrorResponse(thrown).body).toMatchObject({ statusCode: status, code });
  });

  it('anything else: 500 INTERNAL, without its message', () => {
    const quiet = jestSilenceLogger();
    try {
      expect(toErrorResponse(new TypeError('secret detail')).body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        code: 'INTERNAL',
      });
    } finally {
      quiet();
    }
  });
});

/** The filter logs the stack of an unexpected error; keep it out of the test output. */
function jestSilenceLogger(): () => void {
  const original = Logger.prototype.error;
  Logger.prototype.error = () => undefined;
  return () => {
    Logger.prototype.error = original;
  };
}
