import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppError, ErrorCode } from '../common/app-error.js';
import { jsonErrorPosition } from '../common/json-error-position.js';
import { COLUMN_TYPES, convertValue, type ColumnType, type Conversion } from '../catalogue/column-types/index.js';
import { parseJson } from './body-parsers.js';
import { checkPayloadLimits, PAYLOAD_LIMITS } from './payload-limits.js';

// Fixed seeds: a failure names its counterexample and reproduces on every run.
const runs = (numRuns: number, seed = 20240517): fc.Parameters<unknown> => ({ seed, numRuns });

const PROTO_MESSAGE = 'JSON keys "__proto__" and "constructor.prototype" are not allowed: they could alter objects of the service';
const MALFORMED = /^Malformed JSON: (.+) at line (\d+), column (\d+) \(position (\d+)\)$/s;

/** The outcome of parseJson: its value, or the AppError it threw (anything else fails the test). */
function outcome(text: string): { value: unknown } | { error: AppError } {
  try {
    return { value: parseJson(text) };
  } catch (error) {
    if (error instanceof AppError) return { error };
    throw new Error(`parseJson(${JSON.stringify(text).slice(0, 200)}) threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, {
      cause: error,
    });
  }
}

/** The position a "Malformed JSON" message names; fails the test for any other message. */
function reportedPosition(text: string): number {
  const result = outcome(text);
  if (!('error' in result)) throw new Error(`${JSON.stringify(text)} parsed`);
  const match = MALFORMED.exec(result.error.message);
  if (!match) throw new Error(`not a Malformed JSON message: ${result.error.message}`);
  return Number(match[4]);
}

/** Checks everything a refusal of parseJson promises: code, status and a message that says where. */
function expectWellFormedRefusal(text: string, error: AppError): void {
  expect(error.code).toBe(ErrorCode.InvalidBody);
  expect(error.httpStatus).toBe(400);
  if (error.message === PROTO_MESSAGE) return;
  if (text.trim() === '') {
    expect(error.message).toBe('Request body is empty; send a JSON object');
    return;
  }
  const match = MALFORMED.exec(error.message);
  expect(match).not.toBeNull();
  const [, what, line, column, position] = match!;
  expect(what).not.toBe('');
  const at = Number(position);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(at).toBeLessThanOrEqual(text.length);
  // Line and column agree with the position.
  const before = text.slice(0, at);
  expect(Number(line)).toBe(before.split('\n').length);
  expect(Number(column)).toBe(at - before.lastIndexOf('\n'));
}

/** True when a value holds an own "__proto__" key or a "constructor" object with an own "prototype". */
function hasPrototypeKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasPrototypeKey);
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '__proto__')) return true;
  const ctor = Object.hasOwn(record, 'constructor') ? record.constructor : undefined;
  if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) return true;
  return Object.values(record).some(hasPrototypeKey);
}

/** A JSON text cut at a random place, or with a random character inserted or removed. */
const damagedJson = fc
  .tuple(
    fc.oneof(fc.json({ maxDepth: 4 }), fc.json({ maxDepth: 3, stringUnit: 'binary' })),
    fc.nat(),
    fc.constantFrom('cut', 'insert', 'delete'),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  )
  .map(([text, at, how, char]) => {
    const i = at % (text.length + 1);
    if (how === 'cut') return text.slice(0, i);
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
    return text.slice(0, i) + text.slice(i + 1);
  });

/** Texts that look like JSON, with hostile keys mixed in. */
const hostileJson = fc
  .tuple(fc.json({ maxDepth: 3 }), fc.constantFrom('"__proto__"', '"\\u005f_proto__"', '"constructor"', '"prototype"'), fc.nat())
  .map(([text, key, at]) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}{${key}:{"prototype":{"polluted":true}}}${text.slice(i)}`;
  });

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', 'u', '0', '1', '-', '.', 'e', ' ', '\n', 't', 'n') }),
  damagedJson,
  hostileJson,
);

describe('parseJson (property)', () => {
  it('never throws anything but an AppError INVALID_BODY that says where, for arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = outcome(text);
        if ('error' in result) expectWellFormedRefusal(text, result.error);
        else expect(result.value).toEqual(JSON.parse(text.replace(/^\uFEFF/, '')));
      }),
      runs(1000),
    );
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('says what is wrong without quoting the body back (the documented "Malformed JSON: <what> at line L, column C (position P)")', () => {
    // V8 ends some messages in a quoted snippet of the body, `"…" is not valid JSON`, and marks a
    // cut snippet with "..." on either side; only the "what" may remain.
    fc.assert(
      fc.property(fc.oneof(damagedJson, hostileJson), (text) => {
        const result = outcome(text);
        if (!('error' in result)) return;
        const what = MALFORMED.exec(result.error.message)?.[1] ?? '';
        expect(what).not.toMatch(/is not valid JSON|\.\.\."|"\.\.\./);
      }),
      runs(1000),
    );
  });

  it('refuses every text with a prototype-reaching key and leaves Object.prototype alone', () => {
    fc.assert(
      fc.property(hostileJson, (text) => {
        const result = outcome(text);
        if ('value' in result) {
          // Only texts that are not JSON at all, or whose hostile key landed inside a string, pass.
          expect(hasPrototypeKey(result.value)).toBe(false);
        } else {
          expectWellFormedRefusal(text, result.error);
        }
      }),
      runs(500),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips any JSON object', () => {
    const objects = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }));
    fc.assert(
      fc.property(objects, fc.constantFrom('', ' ', '\n  ', '\uFEFF'), fc.boolean(), (value, padding, pretty) => {
        const text = padding + JSON.stringify(value, null, pretty ? 2 : undefined) + padding.replace('\uFEFF', '');
        const result = outcome(text);
        if (hasPrototypeKey(value)) {
          expect('error' in result && result.error.message).toBe(PROTO_MESSAGE);
        } else {
          expect(result).toEqual({ value: JSON.parse(JSON.stringify(value)) });
        }
      }),
      runs(1000),
    );
  });

  it('names the same place in a malformed body whether or not it starts with a byte order mark', () => {
    // The BOM is stripped before parsing, so V8's positions are those of the text without it;
    // a computed position must agree (counting the BOM or not, but never jumping to 0).
    const malformed = damagedJson.filter((text) => {
      if (text.trim() === '' || text.startsWith('\uFEFF')) return false;
      const result = outcome(text);
      return 'error' in result && MALFORMED.test(result.error.message);
    });
    fc.assert(
      fc.property(malformed, (text) => {
        const plain = reportedPosition(text);
        expect([plain, plain + 1]).toContain(reportedPosition(`\uFEFF${text}`));
      }),
      runs(500),
    );
  });
});

describe('jsonErrorPosition (property)', () => {
  it('returns an integer within [0, text.length] for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const position = jsonErrorPosition(text);
        expect(Number.isInteger(position)).toBe(true);
        expect(position).toBeGreaterThanOrEqual(0);
        expect(position).toBeLessThanOrEqual(text.length);
      }),
      runs(1000),
    );
  });

  it('returns the length of any valid JSON text', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), fc.constantFrom('', ' ', '\n', '\t\r\n'), (text, space) => {
        const padded = space + text + space;
        expect(jsonErrorPosition(padded)).toBe(padded.length);
      }),
      runs(500),
    );
  });

  it('agrees with the position V8 names, whenever V8 names one', () => {
    fc.assert(
      fc.property(damagedJson, (text) => {
        let v8: number | null;
        try {
          JSON.parse(text);
          return;
        } catch (error) {
          const match = /at position (\d+)/.exec((error as Error).message);
          v8 = match ? Number(match[1]) : null;
        }
        if (v8 !== null) expect(jsonErrorPosition(text)).toBe(v8);
      }),
      runs(1000),
    );
  });
});

// -------------------------------------------------------------------------------------------

const PAYLOAD_ERRORS = [ErrorCode.InvalidBody, ErrorCode.PayloadTooLarge];

function limitsOutcome(payload: Record<string, unknown>): 'ok' | ErrorCode {
  try {
    checkPayloadLimits(payload);
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw new Error(`checkPayloadLimits threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
  }
}

/** A recursive statement of the limits, to compare the iterative check with. */
function exceedsLimits(payload: unknown): boolean {
  let fields = 0;
  const visit = (value: unknown, depth: number): boolean => {
    if (typeof value === 'string') return value.length > PAYLOAD_LIMITS.maxStringLength;
    if (typeof value !== 'object' || value === null) return false;
    if (depth > PAYLOAD_LIMITS.maxDepth) return true;
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((item) => ['', item]) : Object.entries(value);
    fields += entries.length;
    if (fields > PAYLOAD_LIMITS.maxFields) return true;
    return entries.some(([key, item]) => key.length > PAYLOAD_LIMITS.maxKeyLength || visit(item, depth + 1));
  };
  return visit(payload, 1);
}

const anythingAtAll = fc.anything({
  maxDepth: 4,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  stringUnit: 'binary',
});

/** Payloads around the limits: deep, wide, with long keys and long values. */
const nearTheLimits: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    depth: fc.integer({ min: 0, max: PAYLOAD_LIMITS.maxDepth + 3 }),
    width: fc.integer({ min: 0, max: PAYLOAD_LIMITS.maxFields + 3 }),
    keyLength: fc.integer({ min: 1, max: PAYLOAD_LIMITS.maxKeyLength + 2 }),
    valueLength: fc.integer({ min: 0, max: PAYLOAD_LIMITS.maxStringLength + 2 }),
    asArray: fc.boolean(),
    leaf: fc.jsonValue({ maxDepth: 2 }),
  })
  .map(({ depth, width, keyLength, valueLength, asArray, leaf }) => {
    let nested: unknown = leaf;
    for (let i = 0; i < depth; i++) nested = asArray && i % 2 ? [nested] : { n: nested };
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) wide[`f${i}`] = i;
    return { EntityName: 'Lead', nested, wide, ['k'.repeat(keyLength)]: 'x'.repeat(valueLength) };
  });

describe('checkPayloadLimits (property)', () => {
  it('returns or throws an AppError INVALID_BODY or PAYLOAD_TOO_LARGE for anything', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), anythingAtAll), (payload) => {
        const result = limitsOutcome(payload);
        expect(['ok', ...PAYLOAD_ERRORS]).toContain(result);
      }),
      runs(1000),
    );
  });

  it('returns or throws an AppError for arrays with holes too', () => {
    // No body parser builds sparse arrays today, so this is not reachable over HTTP; the check
    // still must not fail with a TypeError on a value it was given.
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.anything({ maxDepth: 3, withSparseArray: true })), (payload) => {
        expect(['ok', ...PAYLOAD_ERRORS]).toContain(limitsOutcome(payload));
      }),
      runs(300),
    );
    // eslint-disable-next-line no-sparse-arrays -- a hole in an array is the case under test
    expect(['ok', ...PAYLOAD_ERRORS]).toContain(limitsOutcome({ list: [1, , 3] }));
  });

  it('refuses exactly the payloads past a limit', () => {
    fc.assert(
      fc.property(fc.oneof(nearTheLimits, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 }))), (payload) => {
        const result = limitsOutcome(payload);
        expect(result === 'ok' ? 'within' : 'past').toBe(exceedsLimits(payload) ? 'past' : 'within');
      }),
      runs(300),
    );
  });

  it('ends on a cyclic object with INVALID_BODY', () => {
    const cyclic: Record<string, unknown> = { EntityName: 'Lead' };
    cyclic.self = cyclic;
    expect(limitsOutcome(cyclic)).toBe(ErrorCode.InvalidBody);
  });
});

// -------------------------------------------------------------------------------------------

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Strings each column type should accept, with the variations senders use. */
const plausibleValue: Record<ColumnType, fc.Arbitrary<unknown>> = {
  'System.String': fc.oneof(fc.string({ unit: 'binary', maxLength: 50 }), fc.double(), fc.boolean(), fc.integer()),
  'System.Guid': fc
    .tuple(fc.uuid(), fc.boolean(), fc.constantFrom('', ' ', '\t'))
    .map(([uuid, upper, space]) => `${space}${upper ? uuid.toUpperCase() : uuid}${space}`),
  'System.Int32': fc.oneof(
    fc.integer(),
    fc.integer().map((n) => ` ${n >= 0 ? '+' : ''}${n} `),
    fc.double(),
    fc.constantFrom('2147483648', '-2147483649', '-0', '007'),
  ),
  'System.Decimal': fc.oneof(
    fc.double(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom('12.5', '1e3', '.5', '5.', '-1E-7', '1e400', '  3  '),
  ),
  'System.Boolean': fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 2, 'true', 'FALSE', ' on ', 'off', 'Yes', 'no', 'maybe')),
  'System.Date': fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  'System.DateTime': fc.oneof(
    fc
      .record({
        year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 1970, 9999)),
        month: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(1, 12)),
        day: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constantFrom(1, 31)),
        hour: fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constantFrom(0, 23)),
        minute: fc.integer({ min: 0, max: 60 }),
        second: fc.option(fc.integer({ min: 0, max: 60 })),
        fraction: fc.option(fc.integer({ min: 0, max: 999_999 })),
        separator: fc.constantFrom('T', ' ', 't'),
        zone: fc.oneof(
          fc.constantFrom('', 'Z', 'z'),
          fc
            .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45), fc.boolean())
            .map(([sign, h, m, colon]) => `${sign}${pad(h, 2)}${colon ? ':' : ''}${pad(m, 2)}`),
        ),
        dateOnly: fc.boolean(),
      })
      .map(({ year, month, day, hour, minute, second, fraction, separator, zone, dateOnly }) => {
        const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
        if (dateOnly) return date;
        const seconds = second === null ? '' : `:${pad(second, 2)}${fraction === null ? '' : `.${fraction}`}`;
        return `${date}${separator}${pad(hour, 2)}:${pad(minute, 2)}${seconds}${zone}`;
      }),
    // The first and last days of the four-digit years, with an offset that may move the instant past them.
    fc
      .record({
        last: fc.boolean(),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        offset: fc.tuple(fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45)),
      })
      .map(({ last, hour, minute, offset: [h, m] }) =>
        last
          ? `9999-12-31T${pad(hour, 2)}:${pad(minute, 2)}:00-${pad(h, 2)}:${pad(m, 2)}`
          : `0000-01-01T${pad(hour, 2)}:${pad(minute, 2)}:00+${pad(h, 2)}:${pad(m, 2)}`,
      ),
  ),
};

/** Values a webhook cannot carry, and values no JSON parser produces. */
const oddValue = fc.oneof(
  anythingAtAll,
  fc.constantFrom<unknown>(Symbol('s'), () => 1, 10n, NaN, Infinity, -0, '', ' ', new Date(Number.NaN), Object.create(null)),
);

function expectConversion(conversion: Conversion): void {
  if (conversion.ok) {
    expect(conversion.value === null || ['string', 'number', 'boolean'].includes(typeof conversion.value)).toBe(true);
  } else {
    expect(typeof conversion.problem).toBe('string');
    expect(conversion.problem.trim()).not.toBe('');
  }
}

describe('convertValue (property)', () => {
  it.each(COLUMN_TYPES.map((type) => [type]))('%s: is total, answering a value or a problem for anything', (type) => {
    fc.assert(
      fc.property(fc.oneof(oddValue, plausibleValue[type]), (raw) => {
        let conversion: Conversion;
        try {
          conversion = convertValue(type, raw);
        } catch (error) {
          throw new Error(`convertValue(${type}, ${String(raw)}) threw ${(error as Error)?.message}`, { cause: error });
        }
        expectConversion(conversion);
      }),
      runs(1000),
    );
  });

  it.each(COLUMN_TYPES.map((type) => [type]))('%s: a converted value converts to itself again', (type) => {
    fc.assert(
      fc.property(fc.oneof({ arbitrary: plausibleValue[type], weight: 4 }, { arbitrary: oddValue, weight: 1 }), (raw) => {
        const first = convertValue(type, raw);
        if (!first.ok) return;
        const again = convertValue(type, first.value);
        expect(again).toEqual({ ok: true, value: first.value });
      }),
      runs(1000),
    );
  });
});
