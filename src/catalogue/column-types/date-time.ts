import { converted, DATE, defineColumnType, fail, isCalendarDate, show, type Conversion } from './column-type.js';

// ISO 8601 date-time: date, "T" or space, hh:mm[:ss[.fff]], optional Z or ±hh:mm.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export const dateTime = defineColumnType({
  name: 'System.DateTime',
  label: 'Date and time',
  description: 'ISO 8601 (2024-05-17T09:30:00Z, with an offset, or a date alone); stored in UTC',
  takesLookup: false,
  convert(raw) {
    if (typeof raw !== 'string') return fail(`"${show(raw)}" is not a date-time (use ISO 8601)`);
    const text = raw.trim();
    const day = DATE.exec(text);
    if (day) {
      if (!isCalendarDate(+day[1], +day[2], +day[3])) return fail(`"${show(raw)}" is not a valid date`);
      return converted(`${text}T00:00:00.000Z`);
    }
    return toInstant(raw, text);
  },
});

function toInstant(raw: string, text: string): Conversion {
  const match = DATE_TIME.exec(text);
  if (!match || !isCalendarDate(+match[1], +match[2], +match[3]) || +match[4] > 23 || +match[5] > 59 || (match[7] !== undefined && +match[7] > 59)) {
    return fail(`"${show(raw)}" is not a date-time (use ISO 8601, e.g. 2024-05-17T09:30:00Z)`);
  }
  // Without an offset the time is read as UTC, never as the server's local time.
  const instant = new Date(text.replace(' ', 'T') + (match[9] ? '' : 'Z'));
  if (Number.isNaN(instant.getTime())) return fail(`"${show(raw)}" is not a date-time`);
  const value = instant.toISOString();
  // An offset can move a time out of years 0001-9999, whose ISO form this type could not read back.
  if (!/^\d{4}-/.test(value) || value.startsWith('0000')) return fail(`"${show(raw)}" is outside the years 0001-9999 in UTC`);
  return converted(value);
}
