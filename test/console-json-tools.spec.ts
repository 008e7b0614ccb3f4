import { describe, expect, it } from '@jest/globals';
// @ts-expect-error The console's modules are plain JavaScript, checked by these tests.
import { diffLines, lineOfPointer, parseJson } from '../console-ui/src/json-tools.js';

const text = JSON.stringify(
  {
    id: 'p',
    trigger: { type: 'webhook' },
    steps: [
      { id: 'a', type: 'map', input: { fields: { 'x/y': '1' } } },
      { id: 'b', type: 'stop' },
    ],
  },
  null,
  2,
);
const lineOf = (needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('the console editor locating problems', () => {
  it('finds the line of a JSON pointer, with escaped parts and array indexes', () => {
    expect(lineOfPointer(text, '/steps/1/type')).toBe(lineOf('"stop"'));
    expect(lineOfPointer(text, '/steps/0/input/fields/x~1y')).toBe(lineOf('"x/y"'));
    expect(lineOfPointer(text, '/trigger')).toBe(lineOf('"trigger"'));
  });

  it('falls back to the nearest existing parent for a missing property, and to line 1 for the root', () => {
    expect(lineOfPointer(text, '/steps/1/input')).toBe(lineOf('"id": "b"') - 1);
    expect(lineOfPointer(text, '/')).toBe(1);
  });

  it('reports the line and column of a syntax error', () => {
    const broken = '{\n  "a": 1,\n  "b": }\n';
    const parsed = parseJson(broken);
    expect(parsed.error).toEqual({ message: expect.any(String), line: 3, column: 8 });
    expect(parseJson('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseJson('{\n  "a": 1\n  "b": 2\n}').error).toMatchObject({ line: 3, column: 3 });
    expect(parseJson('{"a": "\\x"}').error).toMatchObject({ line: 1, column: 9 });
    expect(parseJson('[1, 2,]').error).toMatchObject({ line: 1, column: 7 });
    expect(parseJson('{"a": 1} x').error).toMatchObject({ line: 1, column: 10 });
  });

  // The console uses the service's locator (src/common/json-error-position.ts): these are the
  // positions V8 names, or would name, for unfinished words, numbers and escapes.
  it('locates a syntax error where the service does, in unfinished values and in deeply nested text', () => {
    expect(parseJson('{"a": nul}').error).toMatchObject({ line: 1, column: 10 });
    expect(parseJson('{\n  "a": tru\n}').error).toMatchObject({ line: 2, column: 11 });
    expect(parseJson('[1.]').error).toMatchObject({ line: 1, column: 4 });
    expect(parseJson('[-]').error).toMatchObject({ line: 1, column: 3 });
    expect(parseJson('"\\u12G4"').error).toMatchObject({ line: 1, column: 6 });
    expect(parseJson('['.repeat(100_000)).error).toMatchObject({ line: 1, column: 100_001 });
  });

  it('diffs lines, keeping the common ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
  });
});
