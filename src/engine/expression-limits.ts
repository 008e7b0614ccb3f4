import jsonata from 'jsonata';

/**
 * Limits of one evaluation of an expression. JSONata checks its own time limit only between
 * evaluation steps, and a single built-in call (a sort, a pad, a distinct) runs to its end
 * however long it takes: one expression could hold the event loop for seconds and take
 * gigabytes. So every step is checked here (time, size of what it produced), and the built-ins
 * that can do much work in one call are replaced by versions that refuse oversized input or
 * output before doing the work and check the time inside their loops. An evaluation that runs
 * longer than a slice lets the event loop run other work (webhooks, health checks) before it
 * goes on; its time limit counts its own running time only.
 */
export const EXPRESSION_LIMITS = {
  /** Running time of one evaluation. */
  timeoutMs: 500,
  /** The longest an evaluation holds the event loop before letting other work run. */
  sliceMs: 50,
  maxDepth: 200,
  /** Items of one array. */
  maxSequence: 100_000,
  /** Characters of one string. */
  maxStringChars: 1_000_000,
  /** One value (array or object), measured about as its JSON. */
  maxValueChars: 10_000_000,
  /** Everything one evaluation creates, together (array items, object keys, strings of functions). */
  maxCreated: 10_000_000,
  /** Items $sort and $distinct take; order-by (^) makes at most about as many comparisons as sorting these. */
  maxSortItems: 5_000,
  /** Characters of a picture string ($formatNumber, $formatInteger, $fromMillis…) and of its widths. */
  maxPictureChars: 1_000,
  /** Characters of an expression given to $eval. */
  maxEvalChars: 10_000,
  /** Characters of the JSON of an expression's result. */
  maxResultChars: 1_000_000,
};

const L = EXPRESSION_LIMITS;
const MAX_COMPARISONS = L.maxSortItems * 13;
const MAX_WALK_DEPTH = 1_000;

/** A limit an evaluation ran into; its message says which. */
export class ExpressionLimitError extends Error {}

function refuse(message: string): never {
  throw new ExpressionLimitError(message);
}

const BUDGET = Symbol('hookflow.expression-budget');
const ORDER_TERM = Symbol('hookflow.order-by-term');

// Evaluations interleave (each step awaits), so a wall clock per evaluation would charge one the
// time of others: a trivial expression next to a heavy one would time out. Time is charged to the
// evaluation whose step ran last instead.
let running: Budget | null = null;
let runningSince = 0;
// The start of the current turn of the event loop in which expressions run.
let turnStart = 0;
let turnOpen = false;

function runAs(budget: Budget, now: number): void {
  if (running === budget) return;
  if (running) running.used += now - runningSince;
  running = budget;
  runningSince = now;
}

/** The time and sizes one evaluation has used. */
class Budget {
  used = 0;
  private readonly sizes = new WeakMap<object, number>();
  private created = 0;
  private comparisons = 0;

  check(): void {
    const now = Date.now();
    runAs(this, now);
    if (this.used + now - runningSince > L.timeoutMs) refuse(`took longer than ${L.timeoutMs} ms`);
  }

  /** Checks the clock; once expressions have held this turn of the event loop for a slice, answers a promise that resolves after other work ran. */
  pause(): Promise<void> | undefined {
    const now = Date.now();
    runAs(this, now);
    if (this.used + now - runningSince > L.timeoutMs) refuse(`took longer than ${L.timeoutMs} ms`);
    if (!turnOpen) {
      turnOpen = true;
      turnStart = now;
      setImmediate(() => {
        turnOpen = false;
      });
      return undefined;
    }
    if (now - turnStart < L.sliceMs) return undefined;
    this.used += now - runningSince;
    running = null;
    return new Promise((resolve) => setImmediate(resolve));
  }

  compare(): void {
    // Each comparison evaluates a term for both sides.
    if (++this.comparisons > MAX_COMPARISONS * 2)
      refuse(`order-by (^) would make more than ${MAX_COMPARISONS} comparisons (it sorts at most about ${L.maxSortItems} items)`);
  }

  create(units: number): void {
    this.created += units;
    if (this.created > L.maxCreated) refuse(`created more than ${L.maxCreated} characters and items of values`);
  }

  /** About the length of the value's JSON, counting a shared part as often as it appears; memoised. */
  size(value: unknown, depth = 0): number {
    switch (typeof value) {
      case 'string':
        return value.length + 2;
      case 'number':
        return 8;
      case 'boolean':
        return 5;
      case 'object':
        break;
      default:
        return 1;
    }
    if (value === null) return 4;
    const known = this.sizes.get(value);
    if (known !== undefined) return known;
    if (isFunctionValue(value)) return 1;
    if (depth > MAX_WALK_DEPTH) refuse(`a value is nested deeper than ${MAX_WALK_DEPTH}`);
    let total = 2;
    if (Array.isArray(value)) {
      this.create(value.length);
      for (let index = 0; index < value.length; index++) {
        total += 1 + this.size(value[index], depth + 1);
        if (total > L.maxValueChars) refuse(`a value would be larger than ${L.maxValueChars} characters`);
      }
    } else {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      this.create(keys.length);
      for (const key of keys) {
        total += key.length + 4 + this.size(record[key], depth + 1);
        if (total > L.maxValueChars) refuse(`a value would be larger than ${L.maxValueChars} characters`);
      }
    }
    this.sizes.set(value, total);
    return total;
  }
}

interface Frame {
  base: Record<symbol, unknown>;
}

interface Focus {
  environment: Frame;
  input: unknown;
  createSequence: (...items: unknown[]) => unknown[] & { sequence?: boolean };
}

type AstNode = Record<string | symbol, unknown> & { type?: string };

function budgetOf(environment: Frame): Budget {
  return environment.base[BUDGET] as Budget;
}

/** Before each step: the budget of this evaluation (made at its first step) and the clock. */
function onEntry(expr: AstNode, _input: unknown, environment: Frame): Promise<void> | undefined {
  const budget = environment.base[BUDGET] as Budget | undefined;
  if (budget === undefined) {
    environment.base[BUDGET] = new Budget();
    return undefined;
  }
  if (expr[ORDER_TERM] === true) budget.compare();
  return budget.pause();
}

/** After each step: what it produced stays within the sizes. */
function onExit(expr: AstNode, _input: unknown, environment: Frame, result: unknown): void {
  const budget = budgetOf(environment);
  if (typeof result === 'string') {
    if (result.length > L.maxStringChars) refuse(`a string would have more than ${L.maxStringChars} characters`);
    // A built-in's string is new; a path's or a variable's is one that exists already.
    if ((expr.type === 'function' || expr.type === 'apply') && result.length > 64) budget.create(result.length);
  } else if (typeof result === 'object' && result !== null) {
    budget.size(result);
  }
}

type Builtin = { _jsonata_function: true; implementation: (...args: never[]) => unknown; signature: unknown };
type BoundedImplementation = (this: Focus, ...args: never[]) => unknown;

const BOUNDED_NAMES = [
  'pad',
  'sort',
  'distinct',
  'split',
  'join',
  'string',
  'spread',
  'zip',
  'match',
  'replace',
  'contains',
  'map',
  'filter',
  'single',
  'reduce',
  'each',
  'sift',
  'eval',
  'formatNumber',
  'formatInteger',
  'parseInteger',
  'fromMillis',
  'toMillis',
] as const;
type BoundedName = (typeof BOUNDED_NAMES)[number] | 'now';

let originals: Record<string, Builtin> | undefined;
let bounded: Array<[string, Builtin]> | undefined;

// JSONata hands out its built-ins only as values of an evaluation, which is asynchronous; the
// bounded versions delegate to them, and reuse their parsed signatures. $now belongs to each
// compiled expression (its time): the bounded one formats that time with $fromMillis.
const ready: Promise<void> = jsonata(`[${[...BOUNDED_NAMES, 'now'].map((name) => `$${name}`).join(', ')}]`)
  .evaluate({})
  .then((values: Builtin[]) => {
    originals = Object.fromEntries(BOUNDED_NAMES.map((name, index) => [name, values[index]]));
    bounded = [...BOUNDED_NAMES, 'now' as const].map((name, index) => {
      // A built-in passed to $map & co. gets as many arguments as its implementation declares.
      const implementation = Object.defineProperty(IMPLEMENTATIONS[name], 'length', { value: values[index].implementation.length });
      return [name, { _jsonata_function: true, implementation: implementation as never, signature: values[index].signature }];
    });
  });

/** Makes a compiled expression check its steps and use the bounded built-ins. */
export async function installLimits(compiled: jsonata.Expression): Promise<void> {
  if (!bounded) await ready;
  const assign = compiled.assign as (name: string | symbol, value: unknown) => void;
  for (const [name, builtin] of bounded!) assign(name, builtin);
  assign(Symbol.for('jsonata.__evaluate_entry'), onEntry);
  assign(Symbol.for('jsonata.__evaluate_exit'), onExit);
  markOrderByTerms(compiled.ast() as unknown as AstNode);
}

/** JSONata's order-by runs its own sort, out of reach of $sort: its comparisons are counted instead. */
function markOrderByTerms(root: AstNode): void {
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    const ast = node as AstNode;
    if (ast.type === 'sort' && Array.isArray(ast.terms)) {
      for (const term of ast.terms as Array<{ expression?: AstNode }>) if (term.expression) term.expression[ORDER_TERM] = true;
    }
    for (const value of Object.values(ast)) visit(value);
  };
  visit(root);
}

function original(name: Exclude<BoundedName, 'now'>): (this: Focus, ...args: unknown[]) => unknown {
  return originals![name].implementation as never;
}

/** A function argument (JSONata passes lambdas to built-ins as JS functions) that checks the clock on each call. */
function checked(budget: Budget, func: unknown): unknown {
  if (typeof func !== 'function') return func;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const paused = budget.pause();
    const call = () => (func as (...a: unknown[]) => unknown).apply(this, args);
    return paused ? paused.then(call) : call();
  };
  const arity = (func as { arity?: number }).arity;
  return Object.assign(wrapped, { arity: typeof arity === 'number' ? arity : func.length });
}

/** A regular expression (or matcher function) that checks the clock on each match, and so do its next matches. */
function checkedMatcher(budget: Budget, matcher: unknown): unknown {
  if (typeof matcher !== 'function') return matcher;
  const follow = (match: unknown): unknown =>
    match && typeof (match as { next?: unknown }).next === 'function'
      ? { ...(match as object), next: wrap((match as { next: (...a: unknown[]) => unknown }).next) }
      : match;
  const wrap = (func: (...a: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]): unknown {
      const paused = budget.pause();
      if (paused) return paused.then(() => Promise.resolve(func.apply(this, args)).then(follow));
      const result = func.apply(this, args);
      return result instanceof Promise ? result.then(follow) : follow(result);
    };
  return wrap(matcher as (...a: unknown[]) => unknown);
}

/** An upper limit as JSONata's optional `limit` arguments take it: one past the cap, to tell "more" apart. */
function cappedLimit(limit: number | undefined, cap: number): number | undefined {
  if (limit !== undefined && limit < 0) return limit; // JSONata's own error for a negative limit
  return limit === undefined || limit > cap ? cap + 1 : limit;
}

function isFunctionValue(value: unknown): boolean {
  return typeof value === 'function' || (typeof value === 'object' && value !== null && ('_jsonata_function' in value || '_jsonata_lambda' in value));
}

/** The JSON length of a value, stopping as soon as it passes `limit`; `pretty` counts $string's indentation. */
function jsonLength(value: unknown, pretty: boolean, limit: number): number {
  let total = 0;
  const visit = (item: unknown, depth: number): void => {
    if (total > limit) return;
    if (typeof item === 'string') total += item.length + 2;
    else if (typeof item === 'number') total += String(item).length;
    else if (typeof item !== 'object' || item === null || isFunctionValue(item)) total += 5;
    else if (depth > MAX_WALK_DEPTH) refuse(`a value is nested deeper than ${MAX_WALK_DEPTH}`);
    else {
      const entries = Array.isArray(item) ? item.map((element) => ['', element] as const) : Object.entries(item);
      total += 2 + (pretty ? 2 * depth + 1 : 0);
      for (const [key, element] of entries) {
        if (total > limit) return;
        total += key.length + (key ? 4 : 1) + (pretty ? 2 * (depth + 1) + 1 : 0);
        visit(element, depth + 1);
      }
    }
  };
  visit(value, 0);
  return total;
}

function checkPicture(name: string, picture: unknown, dated: boolean): void {
  if (typeof picture !== 'string') return;
  if (picture.length > L.maxPictureChars) refuse(`$${name} takes a picture of at most ${L.maxPictureChars} characters`);
  if (!dated) return;
  // A date picture's width modifiers ([Y,4-6]) pad to that many characters.
  for (const marker of picture.match(/\[[^\]]*\]/g) ?? []) {
    for (const width of marker.matchAll(/[,-]\s*(\d+)/g)) {
      if (Number(width[1]) > L.maxPictureChars) refuse(`$${name} takes widths of at most ${L.maxPictureChars} characters`);
    }
  }
}

const IMPLEMENTATIONS: Record<BoundedName, BoundedImplementation> = {
  pad(this: Focus, ...args: never[]) {
    const [str, width, char] = args as unknown as [string | undefined, number, string | undefined];
    if (str === undefined) return undefined;
    if (Math.abs(Math.trunc(width)) > L.maxStringChars) refuse(`$pad would produce more than ${L.maxStringChars} characters`);
    // JSONata repeats a pad of several characters that many times before cutting it.
    if (char !== undefined && char.length > 1 && Math.abs(width) * char.length > 4 * L.maxStringChars) {
      refuse(`$pad would produce more than ${L.maxStringChars} characters`);
    }
    return original('pad').call(this, str, width, char);
  },

  async sort(this: Focus, ...args: never[]) {
    const [array, comparator] = args as unknown as [unknown[] | undefined, ((a: unknown, b: unknown) => unknown) | undefined];
    if (array === undefined || array.length <= 1) return array;
    if (array.length > L.maxSortItems) refuse(`$sort takes at most ${L.maxSortItems} items`);
    const budget = budgetOf(this.environment);
    if (comparator === undefined) {
      const numbers = array.every((item) => typeof item === 'number' && !Number.isNaN(item));
      if (!numbers && !array.every((item) => typeof item === 'string')) {
        throw { code: 'D3070', stack: new Error().stack, index: 1 };
      }
      return [...array].sort((a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0));
    }
    // JSONata's merge sort copies the rest of the array at each comparison (quadratic time and
    // memory); this one is bottom-up and as stable: a true comparison puts the right item first.
    let items = [...array];
    for (let width = 1; width < items.length; width *= 2) {
      const merged: unknown[] = new Array(items.length);
      let out = 0;
      for (let start = 0; start < items.length; start += 2 * width) {
        const middle = Math.min(start + width, items.length);
        const end = Math.min(start + 2 * width, items.length);
        let left = start;
        let right = middle;
        while (left < middle && right < end) {
          await budget.pause();
          merged[out++] = (await comparator(items[left], items[right])) ? items[right++] : items[left++];
        }
        while (left < middle) merged[out++] = items[left++];
        while (right < end) merged[out++] = items[right++];
      }
      items = merged;
    }
    return items;
  },

  distinct(this: Focus, ...args: never[]) {
    const [array] = args as unknown as [unknown];
    if (!Array.isArray(array) || array.length <= 1) return array;
    if (array.length > L.maxSortItems) refuse(`$distinct takes at most ${L.maxSortItems} items`);
    const budget = budgetOf(this.environment);
    // JSONata compares each item with every kept one; a key per item makes it linear.
    const results = (array as { sequence?: boolean }).sequence ? this.createSequence() : [];
    const primitives = new Set<unknown>();
    const structures = new Set<string>();
    const identities = new Map<object, number>();
    for (let index = 0; index < array.length; index++) {
      if ((index & 255) === 0) budget.check();
      const value: unknown = array[index];
      if (typeof value === 'object' && value !== null && !isFunctionValue(value)) {
        const key = canonical(value, identities);
        if (structures.has(key)) continue;
        structures.add(key);
      } else {
        if (primitives.has(value)) continue;
        primitives.add(value);
      }
      results.push(value);
    }
    return results;
  },

  async split(this: Focus, ...args: never[]) {
    const [str, separator, limit] = args as unknown as [string | undefined, unknown, number | undefined];
    const budget = budgetOf(this.environment);
    const result = (await original('split').call(this, str, checkedMatcher(budget, separator), cappedLimit(limit, L.maxSequence))) as unknown[] | undefined;
    if (result && result.length > L.maxSequence) refuse(`$split would produce more than ${L.maxSequence} items`);
    return result;
  },

  join(this: Focus, ...args: never[]) {
    const [strings, separator] = args as unknown as [string[] | undefined, string | undefined];
    if (Array.isArray(strings)) {
      let total = (separator ?? '').length * Math.max(0, strings.length - 1);
      for (const item of strings) total += typeof item === 'string' ? item.length : 0;
      if (total > L.maxStringChars) refuse(`$join would produce more than ${L.maxStringChars} characters`);
    }
    return original('join').call(this, strings, separator);
  },

  string(this: Focus, ...args: never[]) {
    const [value, prettify] = args as unknown as [unknown, boolean | undefined];
    if (typeof value === 'object' && value !== null && jsonLength(value, prettify === true, L.maxStringChars) > L.maxStringChars) {
      refuse(`$string would produce more than ${L.maxStringChars} characters`);
    }
    return original('string').call(this, value, prettify);
  },

  spread(this: Focus, ...args: never[]) {
    const [value] = args as unknown as [unknown];
    if (!Array.isArray(value)) return original('spread').call(this, value);
    // JSONata appends each item's spread to a copy of the result so far: quadratic.
    const budget = budgetOf(this.environment);
    const result = this.createSequence();
    let visited = 0;
    const visit = (item: unknown): void => {
      if ((++visited & 255) === 0) budget.check();
      if (Array.isArray(item)) {
        for (const element of item) visit(element);
      } else if (typeof item === 'object' && item !== null && !('_jsonata_lambda' in item)) {
        for (const key of Object.keys(item)) {
          const single = Object.create(null) as Record<string, unknown>;
          single[key] = (item as Record<string, unknown>)[key];
          result.push(single);
        }
      } else if (item !== undefined) {
        result.push(item);
      }
    };
    visit(value);
    return result;
  },

  zip(this: Focus, ...args: never[]) {
    const arrays = args as unknown as unknown[];
    const shortest = Math.min(...arrays.map((array) => (Array.isArray(array) ? array.length : 0)));
    if (shortest * arrays.length > L.maxSequence * 10) refuse(`$zip would produce more than ${L.maxSequence * 10} items`);
    return original('zip').apply(this, arrays);
  },

  async match(this: Focus, ...args: never[]) {
    const [str, regex, limit] = args as unknown as [string | undefined, unknown, number | undefined];
    const budget = budgetOf(this.environment);
    const result = (await original('match').call(this, str, checkedMatcher(budget, regex), cappedLimit(limit, L.maxSequence))) as unknown[] | undefined;
    if (result && result.length > L.maxSequence) refuse(`$match would produce more than ${L.maxSequence} matches`);
    return result;
  },

  async replace(this: Focus, ...args: never[]) {
    const [str, pattern, replacement, limit] = args as unknown as [string | undefined, unknown, unknown, number | undefined];
    if (typeof str === 'string' && typeof pattern === 'string' && pattern !== '' && typeof replacement === 'string') {
      // Known before replacing: how long the result would be.
      let count = 0;
      for (let index = str.indexOf(pattern); index !== -1 && (limit === undefined || count < limit); index = str.indexOf(pattern, index + pattern.length))
        count++;
      if (str.length + count * (replacement.length - pattern.length) > L.maxStringChars) {
        refuse(`$replace would produce more than ${L.maxStringChars} characters`);
      }
    }
    const budget = budgetOf(this.environment);
    return original('replace').call(this, str, checkedMatcher(budget, pattern), checked(budget, replacement), limit);
  },

  contains(this: Focus, ...args: never[]) {
    const [str, token] = args as unknown as [string | undefined, unknown];
    return original('contains').call(this, str, checkedMatcher(budgetOf(this.environment), token));
  },

  map(this: Focus, ...args: never[]) {
    const [array, func] = args as unknown as [unknown, unknown];
    return original('map').call(this, array, checked(budgetOf(this.environment), func));
  },

  filter(this: Focus, ...args: never[]) {
    const [array, func] = args as unknown as [unknown, unknown];
    return original('filter').call(this, array, checked(budgetOf(this.environment), func));
  },

  single(this: Focus, ...args: never[]) {
    const [array, func] = args as unknown as [unknown, unknown];
    return original('single').call(this, array, checked(budgetOf(this.environment), func));
  },

  reduce(this: Focus, ...args: never[]) {
    const [array, func, init] = args as unknown as [unknown, unknown, unknown];
    return original('reduce').call(this, array, checked(budgetOf(this.environment), func), init);
  },

  each(this: Focus, ...args: never[]) {
    const [object, func] = args as unknown as [unknown, unknown];
    return original('each').call(this, object, checked(budgetOf(this.environment), func));
  },

  sift(this: Focus, ...args: never[]) {
    const [object, func] = args as unknown as [unknown, unknown];
    return original('sift').call(this, object, checked(budgetOf(this.environment), func));
  },

  eval(this: Focus, ...args: never[]) {
    const [expression, focus] = args as unknown as [unknown, unknown];
    if (typeof expression === 'string' && expression.length > L.maxEvalChars) refuse(`$eval takes an expression of at most ${L.maxEvalChars} characters`);
    return original('eval').call(this, expression, focus);
  },

  formatNumber(this: Focus, ...args: never[]) {
    const [value, picture, options] = args as unknown as [unknown, unknown, unknown];
    checkPicture('formatNumber', picture, false);
    return original('formatNumber').call(this, value, picture, options);
  },

  formatInteger(this: Focus, ...args: never[]) {
    const [value, picture] = args as unknown as [unknown, unknown];
    checkPicture('formatInteger', picture, false);
    return original('formatInteger').call(this, value, picture);
  },

  parseInteger(this: Focus, ...args: never[]) {
    const [value, picture] = args as unknown as [unknown, unknown];
    checkPicture('parseInteger', picture, false);
    return original('parseInteger').call(this, value, picture);
  },

  fromMillis(this: Focus, ...args: never[]) {
    const [millis, picture, timezone] = args as unknown as [unknown, unknown, unknown];
    checkPicture('fromMillis', picture, true);
    return original('fromMillis').call(this, millis, picture, timezone);
  },

  toMillis(this: Focus, ...args: never[]) {
    const [timestamp, picture] = args as unknown as [unknown, unknown];
    checkPicture('toMillis', picture, true);
    return original('toMillis').call(this, timestamp, picture);
  },

  now(this: Focus, ...args: never[]) {
    const [picture, timezone] = args as unknown as [unknown, unknown];
    checkPicture('now', picture, true);
    const { timestamp } = this.environment as unknown as { timestamp: Date };
    return original('fromMillis').call(this, timestamp.getTime(), picture, timezone);
  },
};

/** A key equal for deep-equal values (JSONata's equality ignores the order of keys); functions by identity. */
function canonical(value: unknown, identities: Map<object, number>): string {
  if (isFunctionValue(value)) {
    const object = value as object;
    if (!identities.has(object)) identities.set(object, identities.size);
    return `#${identities.get(object)}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, identities)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key], identities)}`)
      .join(',')}}`;
  }
  return value === undefined ? 'u' : JSON.stringify(value);
}
