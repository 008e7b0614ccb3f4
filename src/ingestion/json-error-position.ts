/**
 * Where a JSON text stops being valid, as an offset. V8 does not always say (for some errors it
 * quotes a snippet instead), and a sender fixing a payload needs the line and column. Only
 * called after JSON.parse has failed, so it is off the hot path. Iterative, so no nesting depth
 * can overflow the stack.
 */
export function jsonErrorPosition(text: string): number {
  let i = 0;
  // What each open container expects next.
  const stack: Array<'object' | 'array'> = [];
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const digits = () => {
    const start = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    return i > start;
  };
  /** Scans one scalar at i; answers false (with i at the fault) if it is not valid. */
  const scalar = (): boolean => {
    const char = text[i];
    if (char === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (char === word[0]) {
        for (const letter of word) {
          if (text[i] !== letter) return false;
          i++;
        }
        return true;
      }
    }
    if (char === '-' || (char >= '0' && char <= '9')) return number();
    return false;
  };
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) return false;
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) return false;
          }
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x') || i >= text.length) return false;
      }
      i++;
    }
    if (i >= text.length) return false;
    i++;
    return true;
  };

  // Each turn reads one value; containers push and the loop reads their members.
  for (;;) {
    space();
    if (text[i] === '{') {
      i++;
      space();
      if (text[i] === '}') i++;
      else {
        stack.push('object');
        if (text[i] !== '"' || !string()) return i;
        space();
        if (text[i] !== ':') return i;
        i++;
        continue;
      }
    } else if (text[i] === '[') {
      i++;
      space();
      if (text[i] === ']') i++;
      else {
        stack.push('array');
        continue;
      }
    } else if (!scalar()) {
      return Math.min(i, text.length);
    }
    // A value ended: close containers or move to their next member.
    for (;;) {
      space();
      const open = stack[stack.length - 1];
      if (!open) {
        return i < text.length ? i : text.length;
      }
      if (text[i] === ',') {
        i++;
        if (open === 'object') {
          space();
          if (text[i] !== '"' || !string()) return Math.min(i, text.length);
          space();
          if (text[i] !== ':') return Math.min(i, text.length);
          i++;
        }
        break;
      }
      if ((open === 'object' && text[i] === '}') || (open === 'array' && text[i] === ']')) {
        i++;
        stack.pop();
        continue;
      }
      return Math.min(i, text.length);
    }
  }
}
