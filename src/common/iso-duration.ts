/**
 * ISO 8601 durations ("PT10M", "P2D", "P1Y2M10DT2H30M", "P2W"), as wait steps and retry
 * options take them. Years and months are calendar units (added in UTC), the rest fixed lengths.
 */
const PATTERN = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

export interface IsoDuration {
  years: number;
  months: number;
  /** Weeks, days, hours, minutes and seconds together. */
  milliseconds: number;
}

/** The duration, or null when the text is not an ISO 8601 duration. */
export function parseIsoDuration(text: string): IsoDuration | null {
  const match = PATTERN.exec(text);
  if (!match) return null;
  const [years, months, weeks, days, hours, minutes] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const seconds = Number((match[7] ?? '0').replace(',', '.'));
  return { years, months, milliseconds: Math.round((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000) };
}

/** The time a duration after `from`. */
export function addIsoDuration(from: Date, duration: IsoDuration): Date {
  const to = new Date(from.getTime());
  if (duration.years || duration.months) to.setUTCMonth(to.getUTCMonth() + duration.years * 12 + duration.months);
  return new Date(to.getTime() + duration.milliseconds);
}

/** The JSON Schema of a duration property, with its description. */
export function isoDurationSchema(description: string): Record<string, unknown> {
  return { type: 'string', pattern: PATTERN.source, description };
}
