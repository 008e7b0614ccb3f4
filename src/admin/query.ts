import { AppError, ErrorCode } from '../common/app-error.js';

/** Query parameters of the admin API, checked with a message that names the parameter. */
export function limitParam(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new AppError(ErrorCode.InvalidArgument, `limit: "${raw}" must be a whole number from 1 to ${max}`);
  }
  return value;
}

export function timeParam(name: string, raw: string | undefined): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const time = new Date(raw);
  if (Number.isNaN(time.getTime())) throw new AppError(ErrorCode.InvalidArgument, `${name}: "${raw}" is not an ISO 8601 time`);
  return time;
}

export function oneOfParam<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new AppError(ErrorCode.InvalidArgument, `${name}: "${raw}" is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** filter[Column]=value parameters. */
export function filterParams(query: Record<string, unknown>): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const match = /^filter\[(.+)\]$/.exec(name);
    if (!match) continue;
    if (typeof value !== 'string') throw new AppError(ErrorCode.InvalidArgument, `${name}: give one value`);
    filter[match[1]] = value;
  }
  return filter;
}
