import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';

/**
 * Bounds of an admin API body. Wider than a webhook's (a process definition is a large
 * document) but finite: class-transformer and class-validator recurse into every level, so a
 * body nested thousands of levels deep would overflow the stack (a 500) instead of a 400.
 */
export const ADMIN_BODY_LIMITS = { maxDepth: 64, maxFields: 100_000 };

/** Walks the body without recursion and refuses it with what it exceeded. */
export function checkAdminBodyLimits(body: unknown): void {
  const stack: Array<[unknown, number]> = [[body, 1]];
  let fields = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > ADMIN_BODY_LIMITS.maxDepth) {
      throw new AppError(ErrorCode.InvalidBody, `The body is nested deeper than ${ADMIN_BODY_LIMITS.maxDepth} levels`);
    }
    const items = Array.isArray(value) ? Array.from(value) : Object.values(value);
    fields += items.length;
    if (fields > ADMIN_BODY_LIMITS.maxFields) {
      throw new AppError(ErrorCode.PayloadTooLarge, `The body has more than ${ADMIN_BODY_LIMITS.maxFields} fields`);
    }
    for (const item of items) stack.push([item, depth + 1]);
  }
}

/** For admin routes without the API guard (console sign-in): guards run before pipes. */
@Injectable()
export class AdminBodyLimitsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    checkAdminBodyLimits(context.switchToHttp().getRequest<{ body?: unknown }>().body);
    return true;
  }
}
