import { describe, expect, it } from '@jest/globals';
import {
  COLUMN_TYPE_DEFINITIONS,
  COLUMN_TYPES,
  convertValue,
  describeColumnTypes,
  LOOKUP_COLUMN_TYPES,
  type ColumnType,
  type Conversion,
} from './column-types/index.js';

const GUID = 'f8af0e88-f36b-1410-fa98-00155d043204';
const NON_STRING_TYPES = COLUMN_TYPES.filter((type) => type !== 'System.String');

/** The problem of a failed conversion; fails the test when the conversion succeeded. */
function problemOf(result: Conversion): string {
  if (result.ok) throw new Error(`expected a problem, got the value ${JSON.stringify(result.value)}`);
  return result.problem;
}

/** The types with cases of their own below: a type added to the registry must be added here, with its cases. */
const TYPES_WITH_CASES: ColumnType[] = ['System.String', 'System.Guid', 'System.Int32', 'System.Decimal', 'System.Boolean', 'System.Date', 'System.DateTime'];

describe('the column type registry', () => {
  it('has cases in this file for every type', () => {
    expect([...COLUMN_TYPES].sort()).toEqual([...TYPES_WITH_CASES].sort());
  });

  it('names each type once, each with a label and a description for the console', () => {
    expect(new Set(COLUMN_TYPES).size).toBe(COLUMN_TYPE_DEFINITIONS.length);
    // catalogue_columns.type is a varchar(32).
    for (const type of COLUMN_TYPES) expect(type.length).toBeLessThanOrEqual(32);
    for (const view of describeColumnTypes()) {
      expect(Object.keys(view).sort()).toEqual(['description', 'label', 'name', 'takesLookup']);
      expect(view.label.trim()).not.toBe('');
      expect(view.description.trim()).not.toBe('');
    }
  });

  it("offers text first (the console's default) and lookups on GUIDs only", () => {
    expect(COLUMN_TYPES[0]).toBe('System.String');
    expect(LOOKUP_COLUMN_TYPES).toEqual(['System.Guid']);
  });

  it('answers a problem for a type it does not know (a column stored by another version)', () => {
    expect(convertValue('System.Money' as ColumnType, '12')).toEqual({ ok: false, problem: 'has the unknown column type "System.Money"' });
  });
});

describe('convertValue', () => {
  describe('values every type treats alike', () => {
    it.each(COLUMN_TYPES)('%s: null and undefined mean "no value"', (type) => {
      expect(convertValue(type, null)).toEqual({ ok: true, value: null });
      expect(convertValue(type, undefined)).toEqual({ ok: true, value: null });
    });

    it.each(NON_STRING_TYPES)('%s: an empty form field means "no value"', (type) => {
      expect(convertValue(type, '')).toEqual({ ok: true, value: null });
    });

    it('System.String keeps an empty string as text', () => {
      expect(convertValue('System.String', '')).toEqual({ ok: true, value: '' });
    });

    it.each(COLUMN_TYPES)('%s: a list is refused with its length', (type) => {
      expect(convertValue(type, ['a', 'b'])).toEqual({ ok: false, problem: 'expects one value, got a list of 2' });
      expect(convertValue(type, [])).toEqual({ ok: false, problem: 'expects one value, got a list of 0' });
    });

    it.each(COLUMN_TYPES)('%s: an object is refused', (type) => {
      expect(convertValue(type, { value: 1 })).toEqual({ ok: false, problem: 'expects a single value, got an object' });
    });
  });

  describe('System.String', () => {
    it.each<[unknown, string]>([
      ['New user', 'New user'],
      ['  padded  ', '  padded  '],
      [36, '36'],
      [1.5, '1.5'],
      [true, 'true'],
      [false, 'false'],
      ['Ünïcödé ✓', 'Ünïcödé ✓'],
    ])('%p → %p', (raw, value) => {
      expect(convertValue('System.String', raw)).toEqual({ ok: true, value });
    });

    it('accepts exactly 4000 characters', () => {
      const text = 'x'.repeat(4000);
      expect(convertValue('System.String', text)).toEqual({ ok: true, value: text });
    });

    it('refuses more than 4000 characters', () => {
      expect(convertValue('System.String', 'x'.repeat(4001))).toEqual({
        ok: false,
        problem: 'is longer than 4000 characters',
      });
    });
  });

  describe('System.Guid', () => {
    it.each<[unknown, string]>([
      [GUID, GUID],
      [GUID.toUpperCase(), GUID],
      ['F8AF0E88-f36b-1410-FA98-00155d043204', GUID],
      [`  ${GUID}\n`, GUID],
    ])('%j → %j (trimmed, lower-cased)', (raw, value) => {
      expect(convertValue('System.Guid', raw)).toEqual({ ok: true, value });
    });

    it.each<[unknown, string]>([
      ['not-a-guid', '"not-a-guid" is not a GUID'],
      [`{${GUID}}`, `"{${GUID}}" is not a GUID`],
      ['f8af0e88f36b1410fa9800155d043204', '"f8af0e88f36b1410fa9800155d043204" is not a GUID'],
      ['g8af0e88-f36b-1410-fa98-00155d043204', '"g8af0e88-f36b-1410-fa98-00155d043204" is not a GUID'],
      ['f8af0e88-f36b-1410-fa98-00155d04320', '"f8af0e88-f36b-1410-fa98-00155d04320" is not a GUID'],
      [42, '"42" is not a GUID'],
      [true, '"true" is not a GUID'],
    ])('refuses %p', (raw, problem) => {
      expect(convertValue('System.Guid', raw)).toEqual({ ok: false, problem });
    });
  });

  describe('System.Int32', () => {
    it.each<[unknown, number]>([
      ['36', 36],
      [36, 36],
      [' 36 ', 36],
      ['+7', 7],
      ['-12', -12],
      ['007', 7],
      [1e3, 1000],
      ['2147483647', 2147483647],
      ['-2147483648', -2147483648],
      [2147483647, 2147483647],
    ])('%p → %p', (raw, value) => {
      expect(convertValue('System.Int32', raw)).toEqual({ ok: true, value });
    });

    it.each<[unknown, string]>([
      ['2147483648', '2147483648 is outside the 32-bit integer range'],
      ['-2147483649', '-2147483649 is outside the 32-bit integer range'],
      [2147483648, '2147483648 is outside the 32-bit integer range'],
      ['99999999999999999999', '99999999999999999999 is outside the 32-bit integer range'],
      ['1.5', '"1.5" is not a whole number'],
      [1.5, '"1.5" is not a whole number'],
      ['1e3', '"1e3" is not a whole number'],
      ['36 years', '"36 years" is not a whole number'],
      ['0x10', '"0x10" is not a whole number'],
      ['NaN', '"NaN" is not a whole number'],
      [Number.NaN, '"NaN" is not a whole number'],
      [Number.POSITIVE_INFINITY, '"Infinity" is not a whole number'],
      [true, '"true" is not a whole number'],
    ])('refuses %p', (raw, problem) => {
      expect(convertValue('System.Int32', raw)).toEqual({ ok: false, problem });
    });
  });

  describe('System.Decimal', () => {
    it.each<[unknown, number]>([
      ['1.5', 1.5],
      ['-0.25', -0.25],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['2.5E-2', 0.025],
      ['+10', 10],
      [' 42 ', 42],
      [99.95, 99.95],
      [0, 0],
    ])('%p → %p', (raw, value) => {
      expect(convertValue('System.Decimal', raw)).toEqual({ ok: true, value });
    });

    it.each<[unknown, string]>([
      ['NaN', '"NaN" is not a number'],
      ['Infinity', '"Infinity" is not a number'],
      ['-Infinity', '"-Infinity" is not a number'],
      ['1,5', '"1,5" is not a number'],
      ['1e999', '"1e999" is not a number'],
      ['0x1A', '"0x1A" is not a number'],
      ['12 EUR', '"12 EUR" is not a number'],
      ['.', '"." is not a number'],
      [Number.NaN, '"NaN" is not a number'],
      [Number.POSITIVE_INFINITY, '"Infinity" is not a number'],
      [false, '"false" is not a number'],
    ])('refuses %p', (raw, problem) => {
      expect(convertValue('System.Decimal', raw)).toEqual({ ok: false, problem });
    });
  });

  describe('System.Boolean', () => {
    it.each<[unknown, boolean]>([
      [true, true],
      [false, false],
      ['true', true],
      ['TRUE', true],
      ['on', true],
      ['yes', true],
      ['1', true],
      [1, true],
      [' On ', true],
      ['false', false],
      ['off', false],
      ['no', false],
      ['0', false],
      [0, false],
    ])('%p → %p', (raw, value) => {
      expect(convertValue('System.Boolean', raw)).toEqual({ ok: true, value });
    });

    it.each<[unknown]>([['maybe'], ['2'], [2], ['y'], ['truee']])('refuses %p', (raw) => {
      expect(convertValue('System.Boolean', raw)).toEqual({
        ok: false,
        problem: `"${String(raw)}" is not a boolean (use true/false, 1/0 or on/off)`,
      });
    });
  });

  describe('System.Date', () => {
    it.each<[unknown, string]>([
      ['1815-12-10', '1815-12-10'],
      [' 2024-02-29 ', '2024-02-29'],
      ['2000-02-29', '2000-02-29'],
      ['9999-12-31', '9999-12-31'],
    ])('%p → %p', (raw, value) => {
      expect(convertValue('System.Date', raw)).toEqual({ ok: true, value });
    });

    it.each<[unknown]>([
      ['2023-02-30'],
      ['2023-02-29'],
      ['1900-02-29'],
      ['2024-13-01'],
      ['2024-00-10'],
      ['2024-04-31'],
      ['10/12/1815'],
      ['1815-12-10T00:00:00Z'],
      ['18151210'],
      [20240101],
    ])('refuses %p', (raw) => {
      expect(convertValue('System.Date', raw)).toEqual({
        ok: false,
        problem: `"${String(raw)}" is not a date (use YYYY-MM-DD)`,
      });
    });

    // Years 1-99 are valid calendar dates (.NET's DateTime starts at 0001-01-01), but
    // Date.UTC maps years 0-99 to 1900-1999, so the calendar check refuses them.
    it('accepts dates in the years 0001-0099', () => {
      expect(convertValue('System.Date', '0099-12-31')).toEqual({ ok: true, value: '0099-12-31' });
      expect(convertValue('System.DateTime', '0050-06-15')).toEqual({ ok: true, value: '0050-06-15T00:00:00.000Z' });
    });
  });

  describe('System.DateTime', () => {
    it.each<[string, string]>([
      ['1815-12-10', '1815-12-10T00:00:00.000Z'],
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['2024-05-17T09:30:00Z', '2024-05-17T09:30:00.000Z'],
      ['2024-05-17T09:30:00.250Z', '2024-05-17T09:30:00.250Z'],
      ['2024-05-17T09:30:00+02:00', '2024-05-17T07:30:00.000Z'],
      ['2024-05-17T09:30:00+0200', '2024-05-17T07:30:00.000Z'],
      ['2024-05-17 09:30:00-05:00', '2024-05-17T14:30:00.000Z'],
      ['2024-05-17T09:30-05:30', '2024-05-17T15:00:00.000Z'],
      ['2024-12-31T23:30:00-01:00', '2025-01-01T00:30:00.000Z'],
      ['2024-01-01T00:15:00+01:00', '2023-12-31T23:15:00.000Z'],
      ['2024-05-17t09:30:00z', '2024-05-17T09:30:00.000Z'],
      ['2024-05-17T09:30:00.123456789Z', '2024-05-17T09:30:00.123Z'],
      ['  2024-05-17T09:30:00Z  ', '2024-05-17T09:30:00.000Z'],
    ])('%p → %p', (raw, value) => {
      expect(convertValue('System.DateTime', raw)).toEqual({ ok: true, value });
    });

    it.each<[string]>([['2023-02-30'], ['2023-02-29'], ['2024-02-30']])('refuses the invalid calendar date %p', (raw) => {
      expect(convertValue('System.DateTime', raw)).toEqual({ ok: false, problem: `"${raw}" is not a valid date` });
    });

    it.each<[unknown]>([
      ['2023-02-30T10:00:00Z'],
      ['2024-05-17T24:00:00Z'],
      ['2024-05-17T09:60:00Z'],
      ['2024-05-17T09:30:60Z'],
      ['2024-05-17T9:30:00Z'],
      ['2024-05-17T09:30:00+2'],
      ['17/05/2024 09:30'],
      ['yesterday'],
      ['2024-05-17T09:30:00.1234567890Z'],
    ])('refuses %p', (raw) => {
      expect(convertValue('System.DateTime', raw)).toEqual({
        ok: false,
        problem: `"${String(raw)}" is not a date-time (use ISO 8601, e.g. 2024-05-17T09:30:00Z)`,
      });
    });

    it('refuses an offset that matches the pattern but is no real offset', () => {
      expect(convertValue('System.DateTime', '2024-05-17T09:30:00+99:99')).toEqual({
        ok: false,
        problem: '"2024-05-17T09:30:00+99:99" is not a date-time',
      });
    });

    it.each<[unknown]>([[1715938200000], [true]])('refuses the non-string %p', (raw) => {
      expect(convertValue('System.DateTime', raw)).toEqual({
        ok: false,
        problem: `"${String(raw)}" is not a date-time (use ISO 8601)`,
      });
    });
  });

  it('shortens a long value quoted in a problem to 60 characters', () => {
    const problem = problemOf(convertValue('System.Int32', '9'.repeat(50) + 'x'.repeat(50)));
    expect(problem).toBe(`"${'9'.repeat(50)}xxxxxxx..." is not a whole number`);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-style check: odd inputs never make the conversion throw, and every result is either
// a typed value of the column type or a problem in words.
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failing input can be reproduced. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHAR_POOL = [
  ...'0123456789',
  ...'-+.:eETZ tf,x',
  ...'{}[]"\\/\'',
  '\n',
  '\t',
  '\u0000',
  '\u00a0',
  '\u200b',
  'é',
  'ß',
  '日',
  '\ud83d\ude00',
  '\ud800', // lone surrogate
];

function generator(seed: number) {
  const random = prng(seed);
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const digits = (count: number) => Array.from({ length: count }, () => String(int(10))).join('');

  const randomText = (): string => Array.from({ length: int(24) }, () => pick(CHAR_POOL)).join('');
  // Near-misses of the formats the converter parses: they reach its deeper branches.
  const formatLike = (): string =>
    pick([
      () => `${digits(4)}-${digits(2)}-${digits(2)}`,
      () =>
        `${digits(4)}-${digits(2)}-${digits(2)}${pick(['T', ' ', 't'])}${digits(2)}:${digits(2)}` +
        `${pick(['', `:${digits(2)}`, `:${digits(2)}.${digits(1 + int(9))}`])}` +
        `${pick(['', 'Z', 'z', `+${digits(2)}:${digits(2)}`, `-${digits(4)}`])}`,
      () => `${digits(8)}-${digits(4)}-${digits(4)}-${digits(4)}-${digits(12)}`,
      () => `${pick(['', '-', '+'])}${digits(1 + int(12))}${pick(['', '.', `.${digits(3)}`])}${pick(['', `e${digits(3)}`])}`,
      () => pick(['NaN', 'Infinity', '-0', 'on', 'OFF', ' yes', 'null', 'undefined', '[object Object]']),
      () => 'x'.repeat(3990 + int(20)),
    ])();
  const randomNumber = (): number =>
    pick([
      () => (random() - 0.5) * 10 ** int(20),
      () => int(2 ** 31) * (random() < 0.5 ? -1 : 1),
      () => pick([Number.NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 31, -(2 ** 31) - 1]),
    ])();
  const value = (depth: number): unknown => {
    const kind = int(depth > 2 ? 7 : 10);
    switch (kind) {
      case 0:
      case 1:
        return randomText();
      case 2:
      case 3:
        return formatLike();
      case 4:
        return randomNumber();
      case 5:
        return pick([true, false, null, undefined, '', BigInt(int(3)), Symbol('odd')]);
      case 6:
        return String(randomNumber());
      case 7:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      case 8:
        return Object.fromEntries(Array.from({ length: int(4) }, (_, i) => [`k${i}`, value(depth + 1)]));
      default:
        return pick([new Date(0), Object.create(null), new Map(), () => 1]);
    }
  };
  return () => value(0);
}

/** What a successful conversion of each type may produce. */
function checkValue(type: ColumnType, value: unknown): void {
  if (value === null) return;
  switch (type) {
    case 'System.String':
      expect(typeof value).toBe('string');
      expect((value as string).length).toBeLessThanOrEqual(4000);
      return;
    case 'System.Guid':
      expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      return;
    case 'System.Int32':
      expect(Number.isInteger(value)).toBe(true);
      expect(value as number).toBeGreaterThanOrEqual(-2147483648);
      expect(value as number).toBeLessThanOrEqual(2147483647);
      return;
    case 'System.Decimal':
      expect(Number.isFinite(value)).toBe(true);
      return;
    case 'System.Boolean':
      expect(typeof value).toBe('boolean');
      return;
    case 'System.Date':
      expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      return;
    case 'System.DateTime':
      expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(new Date(value as string).toISOString()).toBe(value);
      return;
    default:
      throw new Error(`No check of the values of ${type satisfies never}`);
  }
}

function describeInput(raw: unknown): string {
  try {
    return typeof raw === 'string' ? JSON.stringify(raw.slice(0, 80)) : String(raw);
  } catch {
    return Object.prototype.toString.call(raw);
  }
}

describe('convertValue with generated odd inputs', () => {
  it.each([1, 2024, 0xc0ffee])('never throws and always answers a value or a problem (seed %i)', (seed) => {
    const next = generator(seed);
    const outcomes = { ok: 0, problem: 0 };
    for (let n = 0; n < 300; n++) {
      const raw = next();
      for (const type of COLUMN_TYPES) {
        let result: Conversion;
        try {
          result = convertValue(type, raw);
        } catch (error) {
          throw new Error(`convertValue(${type}, ${describeInput(raw)}) threw: ${(error as Error).message}`, { cause: error });
        }
        if (result.ok) {
          expect(Object.keys(result).sort()).toEqual(['ok', 'value']);
          checkValue(type, result.value);
          outcomes.ok++;
        } else {
          expect(Object.keys(result).sort()).toEqual(['ok', 'problem']);
          expect(typeof result.problem).toBe('string');
          expect(result.problem.trim()).not.toBe('');
          // A problem quotes at most a short piece of the value, never a whole payload.
          expect(result.problem.length).toBeLessThan(200);
          outcomes.problem++;
        }
      }
    }
    // The generator reaches both outcomes, so the loop checks something on each side.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.problem).toBeGreaterThan(100);
  });
});
