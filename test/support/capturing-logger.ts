import type { LoggerService } from '@nestjs/common';

/** Every line the service logs, at every level. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(...parts: unknown[]) {
    this.capture(parts);
  }
  error(...parts: unknown[]) {
    this.capture(parts);
  }
  warn(...parts: unknown[]) {
    this.capture(parts);
  }
  debug(...parts: unknown[]) {
    this.capture(parts);
  }
  verbose(...parts: unknown[]) {
    this.capture(parts);
  }
  fatal(...parts: unknown[]) {
    this.capture(parts);
  }
  private capture(parts: unknown[]) {
    this.lines.push(parts.map((part) => (part instanceof Error ? `${part.message}\n${part.stack}` : JSON.stringify(part))).join(' '));
  }
}
