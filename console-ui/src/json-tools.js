/**
 * Where things are in JSON text: the line of a JSON pointer (/steps/0/input) for error markers,
 * the line and column of a syntax error, and a line diff for "against the base definition".
 */
// The service's own locator, so the editor and the API name the same place for the same text.
import { jsonErrorPosition } from '../../src/common/json-error-position.ts';

/** Parses JSON text; answers { value } or { error: { message, line, column } }. */
export function parseJson(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    // Browsers' messages do not always say where: find the place ourselves.
    const at = jsonErrorPosition(text);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { error: { message: String(error.message).replace(/^JSON\.parse: /, ''), line, column } };
  }
}

/**
 * The 1-based line where the value at a JSON pointer starts, or the nearest parent's when the
 * pointer names something absent (a missing property is reported at its object).
 */
export function lineOfPointer(text, pointer) {
  const wanted =
    pointer === '/' || pointer === ''
      ? []
      : pointer
          .split('/')
          .slice(1)
          .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const offsets = new Map();
  let index = 0;
  const skip = () => {
    while (index < text.length && /\s/.test(text[index])) index++;
  };
  const readString = () => {
    let result = '';
    index++;
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\') {
        result += text.slice(index, index + 2);
        index += 2;
      } else result += text[index++];
    }
    index++;
    try {
      return JSON.parse(`"${result}"`);
    } catch {
      return result;
    }
  };
  const value = (path) => {
    skip();
    offsets.set(path, index);
    const char = text[index];
    if (char === '{') {
      index++;
      skip();
      if (text[index] === '}') return index++;
      for (;;) {
        skip();
        const key = readString();
        skip();
        index++; // :
        value(`${path}/${key}`);
        skip();
        if (text[index] === ',') index++;
        else return index++;
      }
    }
    if (char === '[') {
      index++;
      skip();
      if (text[index] === ']') return index++;
      for (let i = 0; ; i++) {
        value(`${path}/${i}`);
        skip();
        if (text[index] === ',') index++;
        else return index++;
      }
    }
    if (char === '"') return readString();
    while (index < text.length && !/[\s,\]}]/.test(text[index])) index++;
    return index;
  };
  try {
    value('');
  } catch {
    // Broken text: report what was found so far.
  }
  for (let depth = wanted.length; depth >= 0; depth--) {
    const path = depth === 0 ? '' : `/${wanted.slice(0, depth).join('/')}`;
    if (offsets.has(path)) return text.slice(0, offsets.get(path)).split('\n').length;
  }
  return 1;
}

/** Lines of a and b as a list of { kind: 'same' | 'removed' | 'added', text }. */
export function diffLines(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  const n = left.length;
  const m = right.length;
  // Longest common subsequence table, from the ends (definitions are a few hundred lines at most).
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] = left[i] === right[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const result = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (left[i] === right[j]) {
      result.push({ kind: 'same', text: left[i++] });
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) result.push({ kind: 'removed', text: left[i++] });
    else result.push({ kind: 'added', text: right[j++] });
  }
  while (i < n) result.push({ kind: 'removed', text: left[i++] });
  while (j < m) result.push({ kind: 'added', text: right[j++] });
  return result;
}

/** The definition as people read it: without the version, which the service sets on save. */
export function pretty(definition) {
  return JSON.stringify(definition, null, 2);
}
