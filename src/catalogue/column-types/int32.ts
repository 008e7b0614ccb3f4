import { converted, defineColumnType, fail, show } from './column-type.js';

const INTEGER = /^[+-]?\d+$/;

export const int32 = defineColumnType({
  name: 'System.Int32',
  label: 'Whole number',
  description: 'Whole numbers or numeric strings in the 32-bit range',
  takesLookup: false,
  convert(raw) {
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && INTEGER.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isInteger(value)) return fail(`"${show(raw)}" is not a whole number`);
    if (value < -2147483648 || value > 2147483647) return fail(`${show(raw)} is outside the 32-bit integer range`);
    return converted(value);
  },
});
