import { describe, expect, it } from '@jest/globals';
import { AppError, ERROR_CODES, ErrorCode, failureKind, HTTP_STATUS, isRetryable } from './app-error.js';

describe('what a failed run does with each error code', () => {
  it.each([ErrorCode.Transient, ErrorCode.QueueUnavailable, ErrorCode.RateLimited])('%s may pass: the job is retried', (code) => {
    expect(new AppError(code, 'later').retryable).toBe(true);
    expect(new AppError(code, 'later').problemOfWebhook).toBe(false);
  });

  it.each([ErrorCode.NotFound, ErrorCode.InvalidArgument, ErrorCode.Conflict, ErrorCode.Unmappable, ErrorCode.HttpRejected, ErrorCode.InvalidDefinition])(
    '%s is a problem of the webhook: not retried, the webhook kept as received',
    (code) => {
      expect(new AppError(code, 'no').retryable).toBe(false);
      expect(new AppError(code, 'no').problemOfWebhook).toBe(true);
    },
  );

  it.each([ErrorCode.Internal, ErrorCode.Unauthenticated, ErrorCode.Forbidden])(
    '%s is a fault of the service: not retried, yet no problem of the webhook',
    (code) => {
      expect(new AppError(code, 'bug').retryable).toBe(false);
      expect(new AppError(code, 'bug').problemOfWebhook).toBe(false);
    },
  );

  it('has a status and a failure kind for every code, and the status table agrees', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(Object.values(ErrorCode).sort());
    for (const code of Object.values(ErrorCode)) expect(HTTP_STATUS[code]).toBe(ERROR_CODES[code].status);
  });

  it('counts a stored code this version does not know, or none, as a failure of the system', () => {
    expect(failureKind('SOMETHING_NEW')).toBe('system');
    expect(failureKind(null)).toBe('system');
    expect(failureKind(ErrorCode.NotFound)).toBe('webhook');
  });
});

describe('AppError.from', () => {
  it('answers an AppError itself', () => {
    const error = new AppError(ErrorCode.NotFound, 'gone');
    expect(AppError.from(error)).toBe(error);
  });

  it('makes an AppError of an Error named "AppError" with a known code (from code that cannot import the class)', () => {
    const foreign = Object.assign(new Error('No Country named "Atlantis"'), { name: 'AppError', code: 'NOT_FOUND', details: { value: 'Atlantis' } });
    const error = AppError.from(foreign);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: ErrorCode.NotFound, message: 'No Country named "Atlantis"', details: { value: 'Atlantis' } });
  });

  it.each([
    ['an Error named otherwise', Object.assign(new Error('x'), { code: 'NOT_FOUND' })],
    ['an unknown code', Object.assign(new Error('x'), { name: 'AppError', code: 'ENOENT' })],
    ['no Error at all', { name: 'AppError', code: 'NOT_FOUND', message: 'x' }],
  ])('answers null for %s', (_label, error) => {
    expect(AppError.from(error)).toBeNull();
  });
});

describe('isRetryable', () => {
  it('follows the code of an AppError, and presumes anything else may pass', () => {
    expect(isRetryable(new AppError(ErrorCode.NotFound, 'gone'))).toBe(false);
    expect(isRetryable(new AppError(ErrorCode.QueueUnavailable, 'later'))).toBe(true);
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
  });
});
