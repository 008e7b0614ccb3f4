/**
 * Column types as the reference protocol names them (its .NET type names), and the conversion
 * of webhook values to them. Form fields arrive as strings and convert by the same rules.
 */
export const COLUMN_TYPES = [
  'System.String',
  'System.Guid',
  'System.DateTime',
  'System.Date',
  'System.Int32',
  'System.Decimal',
  'System.Boolean',
] as const;

export type ColumnType = (typeof COLUMN_TYPES)[number];

export type Conversion = { ok: true; value: string | number | boolean | null } | { ok: false; problem: string };

const MAX_STRING_LENGTH = 4000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 date-time: date, "T" or space, hh:mm[:ss[.fff]], optional Z or ±hh:mm.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TRUE_WORDS = new Set(['true', '1', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'off', 'no']);

/** Converts one webhook value to a column type: a value, or the problem in plain words. */
export function convertValue(type: ColumnType, raw: unknown): Conversion {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (Array.isArray(raw)) return fail(`expects one value, got a list of ${raw.length}`);
  if (typeof raw === 'object') return fail('expects a single value, got an object');
  // An empty form field means "no value" for every type but text.
  if (raw === '' && type !== 'System.String') return { ok: true, value: null };
  switch (type) {
    case 'System.String':
      return toText(raw);
    case 'System.Guid':
      return typeof raw === 'string' && GUID.test(raw.trim())
        ? { ok: true, value: raw.trim().toLowerCase() }
        : fail(`"${show(raw)}" is not a GUID`);
    case 'System.Int32':
      return toInteger(raw);
    case 'System.Decimal':
      return toDecimal(raw);
    case 'System.Boolean':
      return toBoolean(raw);
    case 'System.Date':
      return toDate(raw);
    case 'System.DateTime':
      return toDateTime(raw);
  }
}

function toText(raw: unknown): Conversion {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return fail('is not text');
  }
  const value = String(raw);
  if (value.length > MAX_STRING_LENGTH) return fail(`is longer than ${MAX_STRING_LENGTH} characters`);
  return { ok: true, value };
}

function toInteger(raw: unknown): Conversion {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && INTEGER.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(value)) return fail(`"${show(raw)}" is not a whole number`);
  if (value < -2147483648 || value > 2147483647) return fail(`${show(raw)} is outside the 32-bit integer range`);
  return { ok: true, value };
}

function toDecimal(raw: unknown): Conversion {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(value)) return fail(`"${show(raw)}" is not a number`);
  return { ok: true, value };
}

function toBoolean(raw: unknown): Conversion {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  const word = String(raw).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return fail(`"${show(raw)}" is not a boolean (use true/false, 1/0 or on/off)`);
}

function toDate(raw: unknown): Conversion {
  const match = typeof raw === 'string' ? DATE.exec(raw.trim()) : null;
  if (!match || !isCalendarDate(+match[1], +match[2], +match[3])) {
    return fail(`"${show(raw)}" is not a date (use YYYY-MM-DD)`);
  }
  return { ok: true, value: match[0] };
}

function toDateTime(raw: unknown): Conversion {
  if (typeof raw !== 'string') return fail(`"${show(raw)}" is not a date-time (use ISO 8601)`);
  const text = raw.trim();
  const date = DATE.exec(text);
  if (date) {
    if (!isCalendarDate(+date[1], +date[2], +date[3])) return fail(`"${show(raw)}" is not a valid date`);
    return { ok: true, value: `${text}T00:00:00.000Z` };
  }
  const match = DATE_TIME.exec(text);
  if (
    !match ||
    !isCalendarDate(+match[1], +match[2], +match[3]) ||
    +match[4] > 23 ||
    +match[5] > 59 ||
    (match[7] !== undefined && +match[7] > 59)
  ) {
    return fail(`"${show(raw)}" is not a date-time (use ISO 8601, e.g. 2024-05-17T09:30:00Z)`);
  }
  // Without an offset the time is read as UTC, never as the server's local time.
  const instant = new Date(text.replace(' ', 'T') + (match[9] ? '' : 'Z'));
  if (Number.isNaN(instant.getTime())) return fail(`"${show(raw)}" is not a date-time`);
  const value = instant.toISOString();
  // An offset can move a time out of years 0001-9999, whose ISO form this type could not read back.
  if (!/^\d{4}-/.test(value) || value.startsWith('0000')) return fail(`"${show(raw)}" is outside the years 0001-9999 in UTC`);
  return { ok: true, value };
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1) return false;
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function fail(problem: string): Conversion {
  return { ok: false, problem };
}

/** A value as it may appear in a message: short, and never a whole payload. */
function show(raw: unknown): string {
  const text = String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
