import { AppError, ErrorCode } from './app-error.js';

/**
 * Cursors of the newest-first lists of the admin API: the time and id of the last item of a
 * page, opaque to clients. The next page starts strictly after that pair.
 */
export interface CursorPosition {
  time: Date;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.time.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | null): CursorPosition | null {
  if (!cursor) return null;
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const parsed = new Date(time);
    if (typeof id === 'string' && !Number.isNaN(parsed.getTime())) return { time: parsed, id };
  } catch {
    // answered below
  }
  throw new AppError(ErrorCode.InvalidArgument, 'cursor: not a cursor this API gave out');
}
