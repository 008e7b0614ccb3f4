import { describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '../common/app-error.js';
import { jsonErrorPosition } from '../common/json-error-position.js';
import { parseJson } from './body-parsers.js';

/** The AppError parseJson throws for a text; fails the test when it parses or throws something else. */
function parseError(text: string): AppError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw new Error(`expected an AppError, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

/** The position V8 names in JSON.parse's message, or null when it quotes a snippet instead. */
function v8Position(text: string): number | null {
  try {
    JSON.parse(text);
  } catch (error) {
    const match = /at position (\d+)/.exec((error as Error).message);
    return match ? Number(match[1]) : null;
  }
  throw new Error(`${JSON.stringify(text)} is valid JSON`);
}

describe('parseJson', () => {
  it.each<[string, unknown]>([
    ['{}', {}],
    ['{"EntityName":"Lead","Contact":"New user"}', { EntityName: 'Lead', Contact: 'New user' }],
    ['  \n{"a": [1, 2.5, true, null], "b": {"c": "é"}}\n', { a: [1, 2.5, true, null], b: { c: 'é' } }],
    ['{"constructor": {"name": "x"}}', { constructor: { name: 'x' } }],
    ['{"a": "__proto__"}', { a: '__proto__' }],
  ])('parses %j', (text, expected) => {
    expect(parseJson(text)).toEqual(expected);
  });

  it.each([[''], [' '], ['\n\t  \r\n']])('refuses the empty body %j', (text) => {
    const error = parseError(text);
    expect(error.code).toBe(ErrorCode.InvalidBody);
    expect(error.message).toBe('Request body is empty; send a JSON object');
    expect(error.httpStatus).toBe(400);
  });

  it.each<[string, string]>([
    ['{', "Malformed JSON: Expected property name or '}' at line 1, column 2 (position 1)"],
    ['{"a":1,}', 'Malformed JSON: Expected double-quoted property name at line 1, column 8 (position 7)'],
    ['{"a" 1}', "Malformed JSON: Expected ':' after property name at line 1, column 6 (position 5)"],
    ['tru', 'Malformed JSON: Unexpected end of JSON input at line 1, column 4 (position 3)'],
    ['{"a":1}\n{', 'Malformed JSON: Unexpected non-whitespace character after JSON at line 2, column 1 (position 8)'],
    ['[\n1,\n2\n3]', "Malformed JSON: Expected ',' or ']' after array element at line 4, column 1 (position 7)"],
    // V8 quotes a snippet instead of a position for these: the position is computed.
    ['{"a":[1,2,}', "Malformed JSON: Unexpected token '}' at line 1, column 11 (position 10)"],
    ['\n\n  }', "Malformed JSON: Unexpected token '}' at line 3, column 3 (position 4)"],
    ['{\n  "EntityName": "Lead",\n  "Contact": NaN\n}', "Malformed JSON: Unexpected token 'N' at line 3, column 14 (position 39)"],
  ])('describes %j with its line, column and position', (text, message) => {
    const error = parseError(text);
    expect(error.code).toBe(ErrorCode.InvalidBody);
    expect(error.message).toBe(message);
  });

  it.each<[string, number, number, number]>([
    ['{\n  "a": 1,\n  "b": tru\n}', 3, 11, 22],
    ['{\r\n"a": 1,\r\n"b": [1 2]\r\n}', 3, 9, 20],
    ['{"a": "x\ny"}', 1, 9, 8],
    ['{\n\n\n"a":1,,}', 4, 7, 10],
  ])('%j fails at line %i, column %i (position %i)', (text, line, column, position) => {
    expect(parseError(text).message).toMatch(new RegExp(`^Malformed JSON: .+ at line ${line}, column ${column} \\(position ${position}\\)$`, 's'));
  });

  it.each<[string]>([
    ['{"__proto__": {"isAdmin": true}}'],
    ['{"a": {"b": [{"__proto__": {"isAdmin": true}}]}}'],
    ['{"\\u005f_proto__": {"isAdmin": true}}'],
    ['{"constructor": {"prototype": {"isAdmin": true}}}'],
    ['[{"constructor": {"prototype": {"isAdmin": true}}}]'],
  ])('refuses the prototype-reaching keys of %j and leaves Object.prototype alone', (text) => {
    const error = parseError(text);
    expect(error.code).toBe(ErrorCode.InvalidBody);
    expect(error.message).toContain('"__proto__"');
    expect(error.message).toContain('"constructor.prototype"');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('isAdmin');
  });

  // jsonErrorPosition recurses once per nesting level; V8's JSON.parse does not, and for an
  // unterminated text it names no position, so parseJson falls back to jsonErrorPosition.
  it('answers a deeply nested, unterminated body with INVALID_BODY rather than a stack overflow', () => {
    const text = '['.repeat(100_000);
    const error = parseError(text);
    expect(error.code).toBe(ErrorCode.InvalidBody);
    expect(error.message).toBe('Malformed JSON: Unexpected end of JSON input at line 1, column 100001 (position 100000)');
  });
});

describe('jsonErrorPosition', () => {
  const invalid: string[] = [
    '{',
    '[1',
    '[1,2',
    '{"a"',
    '{"a":1,}',
    '{"a" 1}',
    '{,}',
    "{'a':1}",
    '{"a":true false}',
    '{"a":1}x',
    '{"a":1}}',
    '[1,2]]',
    'true false',
    '{"a":1}\n{',
    '[\n1,\n2\n3]',
    '{"a":"b"',
    '"abc',
    '{"a":"x\ny"}',
    '"a\u0001"',
    '{"a":"\\x"}',
    '{"a":"\\u12G4"}',
    '{"a":"\\u12"}',
    '"\\u00"',
    '01',
    '{"a":01}',
    '{"a":-01}',
    '2.5.3',
    '[1e5x]',
    '{"é":1,}',
  ];

  // Malformed numbers: V8 points at the character where a digit was expected (after "-", ".",
  // "e" or "e+"), not at the start of the number or the end of its valid prefix.
  const malformedNumbers: string[] = ['-', '-a', '--1', '[-]', '{"a":-}', '1.', '1.e5', '{"a":1.}', '1e+', '{"a":1e}', '{"a":0.5e-}'];

  it('the lists only hold texts for which V8 names a position', () => {
    expect([...invalid, ...malformedNumbers].filter((text) => v8Position(text) === null)).toEqual([]);
  });

  it.each(invalid.map((text) => [text]))('matches the position V8 reports for %j', (text) => {
    expect(jsonErrorPosition(text)).toBe(v8Position(text));
  });

  it.each(malformedNumbers.map((text) => [text]))('matches the position V8 reports for the malformed number in %j', (text) => {
    expect(jsonErrorPosition(text)).toBe(v8Position(text));
  });

  it.each<[string, number]>([
    ['[1,]', 3],
    ['{"a":[1,2,}', 10],
    ['{"a":nul}', 8],
    ['{"a":NaN}', 5],
    ['{"a":1,"b":[true,fals]}', 21],
    ['\n\n  }', 4],
    ['{"a":', 5],
    ['nul', 3],
    ['[', 1],
  ])('finds the position of %j, for which V8 gives none (%i)', (text, position) => {
    expect(v8Position(text)).toBeNull();
    expect(jsonErrorPosition(text)).toBe(position);
  });

  it('finds the end of a deeply nested, unterminated text without overflowing the stack', () => {
    expect(jsonErrorPosition('['.repeat(100_000))).toBe(100_000);
  });

  it.each([
    ['{}'],
    ['[]'],
    ['0'],
    ['-0.5e+10'],
    ['"a\\"b\\\\c\\u00e9\\n"'],
    ['  {"a": [1, {"b": null}], "c": false, "d": true}  \n'],
    ['{"EntityName":"Lead","CountryId":"f8af0e88-f36b-1410-fa98-00155d043204"}'],
  ])('returns the length of the valid JSON %j', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(jsonErrorPosition(text)).toBe(text.length);
  });
});
