import { converted, defineColumnType, fail, show } from './column-type.js';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export const decimal = defineColumnType({
  name: 'System.Decimal',
  label: 'Decimal number',
  description: 'Numbers or numeric strings (12.5, 1e3)',
  takesLookup: false,
  convert(raw) {
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isFinite(value)) return fail(`"${show(raw)}" is not a number`);
    return converted(value);
  },
});
