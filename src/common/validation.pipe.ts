import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorCode } from './app-error.js';

/**
 * Request bodies of the admin API: unknown properties are refused, and every problem names
 * its property. Applied per controller, not globally, so the webhook path pays nothing for it.
 */
export const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new AppError(ErrorCode.InvalidArgument, describe(errors).join('; ')),
});

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => message.replace(error.property, path));
    return [...own, ...describe(error.children ?? [], path)];
  });
}
