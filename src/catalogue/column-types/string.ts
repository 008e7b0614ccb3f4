import { converted, defineColumnType, fail } from './column-type.js';

const MAX_LENGTH = 4000;

export const text = defineColumnType({
  name: 'System.String',
  label: 'Text',
  description: `Text (numbers and booleans as their text), up to ${MAX_LENGTH} characters`,
  takesLookup: false,
  keepsEmptyString: true,
  convert(raw) {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return fail('is not text');
    const value = String(raw);
    if (value.length > MAX_LENGTH) return fail(`is longer than ${MAX_LENGTH} characters`);
    return converted(value);
  },
});
