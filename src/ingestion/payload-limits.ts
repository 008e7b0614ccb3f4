import { AppError, ErrorCode } from '../common/app-error.js';

/** Bounds of a webhook's parameters, whatever the body's format. */
export const PAYLOAD_LIMITS = { maxDepth: 32, maxFields: 1000, maxKeyLength: 200, maxStringLength: 64 * 1024 };

/**
 * Checks nesting depth, number of fields, key and text lengths without recursion, so a hostile
 * body is refused with what it exceeded and never reaches the queue.
 */
export function checkPayloadLimits(payload: Record<string, unknown>): void {
  const stack: Array<[unknown, number]> = [[payload, 1]];
  let fields = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new AppError(ErrorCode.InvalidBody, 'A number is out of range (such as 1e400): send it as text');
    }
    if (typeof value === 'string') {
      if (value.length > PAYLOAD_LIMITS.maxStringLength) {
        throw new AppError(ErrorCode.PayloadTooLarge, `A value is longer than ${PAYLOAD_LIMITS.maxStringLength} characters`);
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > PAYLOAD_LIMITS.maxDepth) {
      throw new AppError(ErrorCode.InvalidBody, `The body is nested deeper than ${PAYLOAD_LIMITS.maxDepth} levels`);
    }
    // Array.from, not map: map skips the holes of sparse arrays.
    const entries = Array.isArray(value) ? Array.from(value, (item) => ['', item] as const) : Object.entries(value);
    fields += entries.length;
    if (fields > PAYLOAD_LIMITS.maxFields) {
      throw new AppError(ErrorCode.PayloadTooLarge, `The body has more than ${PAYLOAD_LIMITS.maxFields} fields`);
    }
    for (const [key, item] of entries) {
      if (key.length > PAYLOAD_LIMITS.maxKeyLength) {
        throw new AppError(ErrorCode.InvalidBody, `A field name is longer than ${PAYLOAD_LIMITS.maxKeyLength} characters`);
      }
      stack.push([item, depth + 1]);
    }
  }
}
