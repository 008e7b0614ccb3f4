import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { AppConfig } from '../config/config.js';

/** Field names whose values never reach a log line, at any depth the collectors look at. */
const SECRET_FIELDS = ['apiKey', 'secret', 'clientSecret', 'password', 'token', 'authorization', 'cookie', 'signature'];
const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
// API keys (hf_…) and client secrets (hfs_…) written into a message by mistake.
const SECRET_IN_TEXT = /\b(hfs?)_[A-Za-z0-9_-]{16,}/g;

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger as one JSON object per line (pino): time, level, context and message, plus the
 * fields of a message given as an object, such as requestId and webhookId, which correlate a
 * request with the runs of its webhook. Secret fields are redacted; keys and client secrets
 * that slip into a message are masked.
 */
export class JsonLogger implements LoggerService {
  private readonly pino: Pino;

  constructor(level: AppConfig['logLevel'], destination: DestinationStream = pino.destination({ fd: 1, sync: true })) {
    this.pino = pino(
      {
        level,
        base: { pid: process.pid },
        messageKey: 'msg',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      },
      destination,
    );
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context last, and for errors a stack trace before it.
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    let stack = level === 'error' && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    let fields: Record<string, unknown>;
    if (message instanceof Error) {
      fields = { msg: message.message };
      stack ??= message.stack;
    } else if (typeof message === 'object' && message !== null) {
      fields = { ...(message as Record<string, unknown>) };
    } else {
      fields = { msg: String(message) };
    }
    if (typeof fields.msg === 'string') fields.msg = mask(fields.msg);
    this.pino[level]({ ...(context ? { context } : {}), ...fields, ...(stack ? { stack: mask(stack) } : {}) });
  }
}

function mask(text: string): string {
  return text.replace(SECRET_IN_TEXT, '$1_[redacted]');
}

/** The logger of a process: JSON lines, or Nest's text lines for people, at the configured level. */
export function serviceLogger(config: Pick<AppConfig, 'logFormat' | 'logLevel'>): LoggerService | LogLevel[] {
  if (config.logFormat === 'json') return new JsonLogger(config.logLevel);
  const levels: LogLevel[] = ['fatal', 'error'];
  if (config.logLevel !== 'error') levels.push('warn');
  if (config.logLevel === 'info' || config.logLevel === 'debug') levels.push('log');
  if (config.logLevel === 'debug') levels.push('debug', 'verbose');
  return levels;
}
