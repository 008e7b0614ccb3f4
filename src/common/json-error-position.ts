/**
 * Where a JSON text stops being valid, as an offset. Engines do not always say (V8 quotes a
 * snippet instead for some errors, browsers differ), and someone fixing a payload or a definition
 * needs the line and column. The positions are the ones V8 names when it names one. Used by the
 * service's JSON body parser and by the console's editor, so it imports nothing. Only called
 * after JSON.parse has failed, so it is off the hot path. Iterative, so no nesting depth can
 * overflow the stack.
 */
export function jsonErrorPosition(text: string): number {
  const cursor: Cursor = { text, at: 0 };
  // What each open container expects next.
  const stack: Array<'object' | 'array'> = [];
  // Each turn reads one value; containers push and the loop reads their members.
  for (;;) {
    const opened = openValue(cursor, stack);
    if (opened === 'fault') return Math.min(cursor.at, text.length);
    if (opened === 'container') continue;
    const next = closeValues(cursor, stack);
    if (next === 'fault') return Math.min(cursor.at, text.length);
  }
}

/** The text and the offset being read; a scan that fails leaves `at` on the fault. */
interface Cursor {
  text: string;
  at: number;
}

/**
 * Reads the start of a value: a whole scalar or empty container ('value'), the opening of a
 * container whose first member comes next ('container'), or 'fault'.
 */
function openValue(cursor: Cursor, stack: Array<'object' | 'array'>): 'value' | 'container' | 'fault' {
  skipSpace(cursor);
  const char = cursor.text[cursor.at];
  if (char !== '{' && char !== '[') return scanScalar(cursor) ? 'value' : 'fault';
  cursor.at++;
  skipSpace(cursor);
  if (cursor.text[cursor.at] === (char === '{' ? '}' : ']')) {
    cursor.at++;
    return 'value';
  }
  if (char === '[') {
    stack.push('array');
    return 'container';
  }
  stack.push('object');
  return scanKey(cursor) ? 'container' : 'fault';
}

/**
 * After a value: closes the containers it ends and moves past the comma (and key) before the
 * next member. 'fault' when anything else follows, also when the text goes on after the
 * outermost value (the fault is then at what follows, or at the end of a complete text).
 */
function closeValues(cursor: Cursor, stack: Array<'object' | 'array'>): 'member' | 'fault' {
  const { text } = cursor;
  for (;;) {
    skipSpace(cursor);
    const open = stack[stack.length - 1];
    if (!open) return 'fault';
    if (text[cursor.at] === ',') {
      cursor.at++;
      if (open === 'object' && !scanKey(cursor)) return 'fault';
      return 'member';
    }
    if (text[cursor.at] !== (open === 'object' ? '}' : ']')) return 'fault';
    cursor.at++;
    stack.pop();
  }
}

function skipSpace(cursor: Cursor): void {
  const { text } = cursor;
  while (cursor.at < text.length && (text[cursor.at] === ' ' || text[cursor.at] === '\t' || text[cursor.at] === '\n' || text[cursor.at] === '\r')) {
    cursor.at++;
  }
}

/** A member's key and its colon, with the space around them. */
function scanKey(cursor: Cursor): boolean {
  skipSpace(cursor);
  if (cursor.text[cursor.at] !== '"' || !scanString(cursor)) return false;
  skipSpace(cursor);
  if (cursor.text[cursor.at] !== ':') return false;
  cursor.at++;
  return true;
}

function scanScalar(cursor: Cursor): boolean {
  const char = cursor.text[cursor.at];
  if (char === '"') return scanString(cursor);
  for (const word of ['true', 'false', 'null']) {
    if (char !== word[0]) continue;
    // The fault is at the first wrong letter, as V8 reports it.
    for (const letter of word) {
      if (cursor.text[cursor.at] !== letter) return false;
      cursor.at++;
    }
    return true;
  }
  if (char === '-' || (char >= '0' && char <= '9')) return scanNumber(cursor);
  return false;
}

function scanDigits(cursor: Cursor): boolean {
  const start = cursor.at;
  while (cursor.at < cursor.text.length && cursor.text[cursor.at] >= '0' && cursor.text[cursor.at] <= '9') cursor.at++;
  return cursor.at > start;
}

function scanNumber(cursor: Cursor): boolean {
  const { text } = cursor;
  if (text[cursor.at] === '-') cursor.at++;
  if (text[cursor.at] === '0') cursor.at++;
  else if (!scanDigits(cursor)) return false;
  if (text[cursor.at] === '.') {
    cursor.at++;
    if (!scanDigits(cursor)) return false;
  }
  if (text[cursor.at] === 'e' || text[cursor.at] === 'E') {
    cursor.at++;
    if (text[cursor.at] === '+' || text[cursor.at] === '-') cursor.at++;
    if (!scanDigits(cursor)) return false;
  }
  return true;
}

function scanString(cursor: Cursor): boolean {
  const { text } = cursor;
  cursor.at++; // opening quote
  while (cursor.at < text.length && text[cursor.at] !== '"') {
    if (text.charCodeAt(cursor.at) < 0x20) return false;
    if (text[cursor.at] === '\\') {
      cursor.at++;
      if (text[cursor.at] === 'u') {
        // The fault is at the first character that is not a hex digit.
        for (let k = 0; k < 4; k++) {
          cursor.at++;
          if (!/[0-9a-fA-F]/.test(text[cursor.at] ?? '')) return false;
        }
      } else if (!'"\\/bfnrt'.includes(text[cursor.at] ?? 'x') || cursor.at >= text.length) return false;
    }
    cursor.at++;
  }
  if (cursor.at >= text.length) return false;
  cursor.at++;
  return true;
}
