export type ColumnValue = string | number | boolean | null;

export type Conversion = { ok: true; value: ColumnValue } | { ok: false; problem: string };

/** One webhook value as a converter receives it: never null, undefined, a list or an object (convertValue answers those). */
export type ScalarValue = string | number | boolean | bigint | symbol | ((...args: never[]) => unknown);

/**
 * A column type: its name as the reference protocol gives it (a .NET type name), how a webhook
 * value converts to it, and what the console shows about it. One file per type, listed in index.ts.
 */
export interface ColumnTypeDefinition<N extends string = string> {
  name: N;
  /** For people, in the console: "Text", "Whole number"… */
  label: string;
  /** What a webhook value of this type may be, in plain words. */
  description: string;
  /** Whether a column of this type may reference the records of another object (a lookup, e.g. CountryId). */
  takesLookup: boolean;
  /** Whether an empty form field is a value of this type (text) rather than "no value". */
  keepsEmptyString?: boolean;
  convert(raw: ScalarValue): Conversion;
}

/** Gives a type file its type, with the name as a literal (the registry derives ColumnType from it). */
export function defineColumnType<N extends string>(definition: ColumnTypeDefinition<N>): ColumnTypeDefinition<N> {
  return definition;
}

export function converted(value: ColumnValue): Conversion {
  return { ok: true, value };
}

export function fail(problem: string): Conversion {
  return { ok: false, problem };
}

/** A value as it may appear in a message: short, and never a whole payload. */
export function show(raw: unknown): string {
  const text = String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1) return false;
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
