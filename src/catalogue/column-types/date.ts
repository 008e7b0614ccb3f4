import { converted, DATE, defineColumnType, fail, isCalendarDate, show } from './column-type.js';

export const date = defineColumnType({
  name: 'System.Date',
  label: 'Date',
  description: 'A calendar date: YYYY-MM-DD',
  takesLookup: false,
  convert(raw) {
    const match = typeof raw === 'string' ? DATE.exec(raw.trim()) : null;
    if (!match || !isCalendarDate(+match[1], +match[2], +match[3])) return fail(`"${show(raw)}" is not a date (use YYYY-MM-DD)`);
    return converted(match[0]);
  },
});
