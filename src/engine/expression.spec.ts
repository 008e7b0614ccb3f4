import { describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Expression, EXPRESSION_LIMITS, ExpressionSyntaxError } from './expression.js';

const PAYLOAD = { Contact: 'New user', Email: 'new_user@gmail.com', EntityName: 'Lead', items: [{ price: 5 }, { price: 150 }] };
const BINDINGS = {
  steps: { object: { name: 'Lead', columns: [{ name: 'Contact' }, { name: 'Email' }] }, fields: { Contact: 'New user' } },
  vars: { size: 'big', count: 2 },
  webhook: { id: 'webhook-1', apiKeyId: 'key-1', apiKeyName: 'Website', receivedAt: '2024-05-17T09:30:00.000Z' },
};

function evaluate(source: string, input: unknown = PAYLOAD, bindings: Record<string, unknown> = BINDINGS): Promise<unknown> {
  return Expression.compile(source).evaluate(input, bindings);
}

/** The AppError an evaluation rejects with. */
async function failure(source: string, input: unknown = PAYLOAD): Promise<{ error: AppError }> {
  try {
    const value = await evaluate(source, input);
    throw new Error(`expected ${source} to fail, got ${JSON.stringify(value)?.slice(0, 100)}`);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error };
  }
}

describe('Expression: evaluation', () => {
  it('reads the payload as the root', async () => {
    expect(await evaluate('Email')).toBe('new_user@gmail.com');
    expect(await evaluate('$.Contact')).toBe('New user');
    expect(await evaluate('items[price > 100].price')).toBe(150);
    expect(await evaluate('$sum(items.price)')).toBe(155);
  });

  it('binds $steps, $vars and $webhook', async () => {
    expect(await evaluate('$steps.object.name')).toBe('Lead');
    expect(await evaluate('$steps.object.columns.name')).toEqual(['Contact', 'Email']);
    expect(await evaluate('$steps.fields')).toEqual({ Contact: 'New user' });
    expect(await evaluate('$vars.size & " x" & $string($vars.count)')).toBe('big x2');
    expect(await evaluate('$webhook.apiKeyName & " " & $webhook.id')).toBe('Website webhook-1');
  });

  it('computes with the payload and the bindings together', async () => {
    expect(await evaluate('EntityName = $steps.object.name and $vars.count > 1')).toBe(true);
    expect(await evaluate('$uppercase(Contact) & " <" & Email & ">"')).toBe('NEW USER <new_user@gmail.com>');
  });

  it('answers undefined for a path that is not there', async () => {
    expect(await evaluate('no.such.path')).toBeUndefined();
    expect(await evaluate('$vars.unset')).toBeUndefined();
  });

  it('returns plain JSON values, not JSONata sequences', async () => {
    const list = await evaluate('items.price');
    expect(list).toEqual([5, 150]);
    expect(Object.getPrototypeOf(list)).toBe(Array.prototype);
    expect(Object.keys(list as object)).toEqual(['0', '1']);
    expect(await evaluate('{"total": $sum(items.price), "first": items[0]}')).toEqual({ total: 155, first: { price: 5 } });
  });

  it('does not let the result share objects with the input', async () => {
    const input = { nested: { value: 1 } };
    const result = (await evaluate('nested', input)) as { value: number };
    result.value = 2;
    expect(input.nested.value).toBe(1);
  });

  it('is compiled once and evaluated for many inputs', async () => {
    const expression = Expression.compile('first & " " & last');
    expect(expression.source).toBe('first & " " & last');
    expect(await expression.evaluate({ first: 'Ada', last: 'Lovelace' }, {})).toBe('Ada Lovelace');
    expect(await expression.evaluate({ first: 'Grace', last: 'Hopper' }, {})).toBe('Grace Hopper');
  });

  it('fails with EXPRESSION_FAILED, quoting the expression, when a function is given a wrong value', async () => {
    const { error } = await failure('$number(Contact)');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^Expression "\$number\(Contact\)" failed: \S/);
  });

  it('shortens a long expression in its error message', async () => {
    const source = `$number(Contact) + ${'1 + '.repeat(40)}1`;
    const { error } = await failure(source);
    expect(error.message.startsWith(`Expression ${JSON.stringify(`${source.slice(0, 77)}...`)} failed: `)).toBe(true);
  });
});

describe('Expression: limits', () => {
  it('stops a runaway tail-recursive expression within 2 s', async () => {
    const { error } = await failure('($loop := function($n) { $loop($n + 1) }; $loop(0))');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/^Expression "\(\$loop := .*" failed: /);
    expect(error.message).toMatch(new RegExp(`timeout after ${EXPRESSION_LIMITS.timeoutMs} milliseconds|longer than ${EXPRESSION_LIMITS.timeoutMs} ms`));
  });

  it('stops a runaway deep recursion within 2 s', async () => {
    const { error } = await failure('($deep := function($n) { 1 + $deep($n + 1) }; $deep(0))');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/[Ss]tack overflow|nested deeper than/);
  });

  it('refuses a sequence longer than the limit', async () => {
    const { error } = await failure('$join([1..200000].("xxxxxxxxxx"))');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/maximum sequence length/);

    expect((await failure(`[1..${EXPRESSION_LIMITS.maxSequence + 1}]`)).error.message).toMatch(/maximum sequence length/);
  });

  it('refuses a result larger than the limit, saying how large it was', async () => {
    // The longest string an expression may build: its JSON has two quotes more than the limit allows.
    const length = EXPRESSION_LIMITS.maxStringChars - 1;
    const { error } = await failure(`$pad("", ${length}, "x")`);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toBe(
      `Expression "$pad(\\"\\", ${length}, \\"x\\")" returned ${length + 2} characters, more than the limit of ${EXPRESSION_LIMITS.maxResultChars}`,
    );
  });

  it('accepts a result just under the limit', async () => {
    const value = await evaluate(`$pad("", ${EXPRESSION_LIMITS.maxResultChars - 2}, "x")`);
    expect(value).toHaveLength(EXPRESSION_LIMITS.maxResultChars - 2);
  });

  // JSONata's time limit is checked between evaluation steps, so one slow built-in call (here a
  // regular expression that backtracks exponentially) is not bounded: a definition can hold a
  // worker for as long as it likes. Every evaluation must end within the limit.
  it('bounds the time of a catastrophically backtracking regular expression', async () => {
    const started = Date.now();
    // Either outcome is right (no match, or EXPRESSION_FAILED for the time limit), as long as it comes in time.
    await evaluate('$match(text, /(a+)+$/)', { text: `${'a'.repeat(26)}!` }).catch((error: unknown) => {
      if (!(error instanceof AppError) || error.code !== ErrorCode.ExpressionFailed) throw error;
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

// JSONata checks its time limit only between evaluation steps: one built-in call ran to its end
// (a sort of 20,000 items for seconds, a $distinct of 10,000 objects for more than 30 s, a $pad of
// 100 million characters with 2 GB), holding the event loop of the API or worker for every
// tenant. Each must fail at once, naming the limit it ran into.
describe('Expression: built-ins and operators that could do unbounded work', () => {
  const L = EXPRESSION_LIMITS;
  it.each<[string, string | RegExp]>([
    ['$sort($split($pad("", 20000, "x"), ""))[0]', `$sort takes at most ${L.maxSortItems} items`],
    ['$sort($split($pad("", 40000, "x"), ""))[0]', `$sort takes at most ${L.maxSortItems} items`],
    ['$sort([1..20000], function($a, $b) { $a > $b })[0]', `$sort takes at most ${L.maxSortItems} items`],
    // Building 10,000 objects alone may take most of the time limit on a loaded machine.
    ['$count($distinct([1..10000].{"a": $}))', new RegExp(`\\$distinct takes at most ${L.maxSortItems} items|took longer than ${L.timeoutMs} ms`)],
    ['$pad("", 100000000, "x")', `$pad would produce more than ${L.maxStringChars} characters`],
    ['$pad("", -100000000, "x")', `$pad would produce more than ${L.maxStringChars} characters`],
    ['$pad("", 900000, $pad("", 900000, "ab"))', `$pad would produce more than ${L.maxStringChars} characters`],
    ['$count($split($pad("", 900000, "x"), ""))', `$split would produce more than ${L.maxSequence} items`],
    ['$length($join($split($pad("", 99999, "x"), ""), "----------"))', `$join would produce more than ${L.maxStringChars} characters`],
    ['$length($replace($pad("", 100000, "x"), "x", "yyyyyyyyyyyyyyyyyyyy"))', `$replace would produce more than ${L.maxStringChars} characters`],
    ['($a := [1..1000]; $length($string([1..1000].[$a])))', `$string would produce more than ${L.maxStringChars} characters`],
    ['$length($pad("", 600000, "x") & $pad("", 600000, "x"))', `a string would have more than ${L.maxStringChars} characters`],
    ['$count([1..1000].($pad("", 999999, "x")))', `created more than ${L.maxCreated} characters and items of values`],
    [
      // Each level is ten times the one below, sharing it: a few steps build a value that would
      // take minutes to compare or write out.
      `($a := [1..100]; ${['b', 'c', 'd', 'e', 'f', 'g'].map((name, index) => `$${name} := {${[...'0123456789'].map((key) => `"${key}": $${'abcdefg'[index]}`).join(', ')}}`).join('; ')}; $g = $g)`,
      `a value would be larger than ${L.maxValueChars} characters`,
    ],
    [
      '$count($zip([1..100000], [1..100000], [1..100000], [1..100000], [1..100000], [1..100000], [1..100000], [1..100000], [1..100000], [1..100000], [1..100000]))',
      `$zip would produce more than ${L.maxSequence * 10} items`,
    ],
    ['$length($fromMillis(0, "[Y,100000000]"))', `$fromMillis takes widths of at most ${L.maxPictureChars} characters`],
    ['$length($now("[Y,100000000]"))', `$now takes widths of at most ${L.maxPictureChars} characters`],
    ['$formatNumber(1, $pad("", 100000, "0"))', `$formatNumber takes a picture of at most ${L.maxPictureChars} characters`],
    ['$eval($join([1..5000].("1+")) & "1")', `$eval takes an expression of at most ${L.maxEvalChars} characters`],
    ['$eval("$pad(\\"\\", 100000000, \\"x\\")")', `$pad would produce more than ${L.maxStringChars} characters`],
  ])('%s fails: %s', async (source, limit) => {
    const { error } = await failure(source);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    if (typeof limit === 'string') expect(error.message).toContain(limit);
    else expect(error.message).toMatch(limit);
  });

  it.each([
    // A regular expression's matches are counted, and the clock checked at each.
    '$count($split($pad("", 900000, "x"), /x/))',
    '$count($match($pad("", 900000, "x"), /x/))',
    // Order-by runs JSONata's own sort: its comparisons are counted, and the clock checked.
    '[1..100000]^($)',
    '[1..100000]^(>$)[0]',
    // A callback that is a built-in runs no evaluation step of its own: the clock is checked per call.
    '$count($map([1..100000], function($v) { $pad("", 20) }))',
    '$count($map([1..100000], function($v) { $map([1..100], function($x) { $string($x) }) }))',
    '$count($filter([1..100000], function($v) { $count([1..1000][$ > 500]) > 0 }))',
    '$reduce([1..100000], function($a, $b) { $a + $count([1..100]) })',
    '($loop := function($n) { $n < 100000000 ? $loop($n + 1) : $n }; $loop(0))',
  ])('%s stops at a limit', async (source) => {
    const { error } = await failure(source);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    // Whichever limit a machine reaches first: the clock, or (900,000 matches) the sequence length.
    expect(error.message).toMatch(
      new RegExp(
        `longer than ${L.timeoutMs} ms|order-by \\(\\^\\) would make more than|created more than|would produce more than|maximum sequence length of ${EXPRESSION_LIMITS.maxSequence} was exceeded`,
      ),
    );
  });

  // Evaluations interleave: a wall clock per evaluation charged a trivial expression with the time
  // of a heavy one next to it, and it failed "took longer than" — another tenant's run.
  it('charges each evaluation its own time: heavy ones next to trivial ones do not make those fail', async () => {
    const trivial = Expression.compile('$steps.object.name');
    const heavy = Expression.compile('($loop := function($n) { $n < 100000000 ? $loop($n + 1) : $n }; $loop(0))');
    const outcomes = await Promise.all([
      ...[1, 2, 3, 4, 5].map(() =>
        heavy.evaluate({}, BINDINGS).then(
          () => 'ok',
          (error: AppError) => error.message,
        ),
      ),
      ...Array.from({ length: 2000 }, () =>
        trivial.evaluate({}, BINDINGS).then(
          () => 'ok',
          (error: AppError) => error.message,
        ),
      ),
    ]);
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill(expect.stringContaining(`took longer than ${L.timeoutMs} ms`)));
    expect(outcomes.slice(5).filter((outcome) => outcome !== 'ok')).toEqual([]);
  });

  it('leaves the built-ins working as before within their limits', async () => {
    expect(await evaluate('$sort([3, 1, 2])')).toEqual([1, 2, 3]);
    expect(await evaluate('$sort(["b", "a", "c"])')).toEqual(['a', 'b', 'c']);
    expect(await evaluate('$sort(items, function($l, $r) { $l.price < $r.price }).price')).toEqual([150, 5]);
    expect(await evaluate('$sort([{"k": 2, "i": 1}, {"k": 1, "i": 2}, {"k": 2, "i": 3}], function($l, $r) { $l.k > $r.k }).i')).toEqual([2, 1, 3]);
    expect((await failure('$sort([1, "a"])')).error.message).toMatch(/sort function can only be applied to an array of strings or an array of numbers/);
    expect(await evaluate('$distinct([1, 2, 1, "1", {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1]])')).toEqual([1, 2, '1', { a: 1, b: 2 }, [1]]);
    expect(await evaluate('$pad("ab", 5, "xy")')).toBe('abxyx');
    expect(await evaluate('$pad("ab", -4)')).toBe('  ab');
    expect(await evaluate('$split("a,b,,c", ",")')).toEqual(['a', 'b', '', 'c']);
    expect(await evaluate('$split("a1b22c", /\\d+/, 2)')).toEqual(['a', 'b']);
    expect(await evaluate('$join(["a", "b"], "-")')).toBe('a-b');
    expect(await evaluate('$string({"a": [1, 2]}, true)')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(await evaluate('$spread([{"a": 1, "b": 2}, [{"c": 3}], 4])')).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, 4]);
    expect(await evaluate('$zip([1, 2, 3], ["a", "b"])')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(await evaluate('$match("a1b22", /\\d+/).match')).toEqual(['1', '22']);
    expect(await evaluate('$replace("a1b22", /(\\d+)/, "<$1>")')).toBe('a<1>b<22>');
    expect(await evaluate('$replace("aaa", "a", "bb", 2)')).toBe('bbbba');
    expect(await evaluate('$contains("abc", /b/)')).toBe(true);
    expect(await evaluate('$map([1, 2], function($v, $i) { $v + $i })')).toEqual([1, 3]);
    expect(await evaluate('$map(["a", "b"], $uppercase)')).toEqual(['A', 'B']);
    expect(await evaluate('$filter([1, 2, 3], function($v) { $v > 1 })')).toEqual([2, 3]);
    expect(await evaluate('$single([1, 2, 3], function($v) { $v = 2 })')).toBe(2);
    expect(await evaluate('$reduce([1, 2, 3], function($a, $b) { $a + $b })')).toBe(6);
    expect(await evaluate('$each({"a": 1}, function($v, $k) { $k & $v })')).toBe('a1');
    expect(await evaluate('$sift({"a": 1, "b": 2}, function($v) { $v > 1 })')).toEqual({ b: 2 });
    expect(await evaluate('$formatNumber(1234.5, "#,##0.00")')).toBe('1,234.50');
    expect(await evaluate('$formatInteger(12, "w")')).toBe('twelve');
    expect(await evaluate('$fromMillis(0, "[Y0001]-[M01]-[D01]")')).toBe('1970-01-01');
    expect(await evaluate('$now("[Y]") = $fromMillis($millis(), "[Y]")')).toBe(true);
    expect(await evaluate('$eval("1 + 1")')).toBe(2);
    expect(await evaluate('items^(>price).price')).toEqual([150, 5]);
    expect(await evaluate('$count([1..200]^(>$))')).toBe(200);
    expect(await evaluate(`$count($sort([1..${L.maxSortItems}]))`)).toBe(L.maxSortItems);
    expect(await evaluate('$sort([1..200], function($a, $b) { $a < $b })[0]')).toBe(200);
    expect(await evaluate('$map([1, 2], $string)')).toEqual(['1', '2']);
  });
});

describe('Expression: syntax errors', () => {
  it.each<[string, number, string]>([
    ['first &', 7, 'Unexpected end of expression'],
    ['(EntityName = "Lead"', 20, 'Expected ")" before end of expression'],
    ['(', 1, 'Expected ")" before end of expression'],
  ])('reports %j with its position', (source, position, reason) => {
    let thrown: unknown;
    try {
      Expression.compile(source);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ExpressionSyntaxError);
    expect(thrown).not.toBeInstanceOf(AppError);
    expect((thrown as ExpressionSyntaxError).position).toBe(position);
    expect((thrown as ExpressionSyntaxError).message).toBe(`expression does not parse: ${reason} (at character ${position})`);
  });

  it('reports an unknown operator', () => {
    expect(() => Expression.compile('a === b')).toThrow(ExpressionSyntaxError);
  });
});

describe('Expression: isolation from the host', () => {
  it.each([
    '$process',
    'process',
    'process.env',
    'process.env.PATH',
    'require',
    '$require',
    'globalThis',
    '$globalThis',
    'module',
    '$process.exit(1)',
    '$eval("$process")',
  ])('%s evaluates to nothing', async (source) => {
    expect(await evaluate(source)).toBeUndefined();
  });

  it.each(['$require("fs")', '$eval("$require(\\"child_process\\")")'])('%s cannot be called', async (source) => {
    const { error } = await failure(source);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/failed: .*Attempted to invoke a non-function/);
  });

  it('cannot reach prototypes or constructors of the data', async () => {
    expect(await evaluate('$.constructor')).toBeUndefined();
    expect(await evaluate('__proto__')).toBeUndefined();
    expect(await evaluate('Contact.constructor')).toBeUndefined();
    expect(await evaluate('$steps.constructor')).toBeUndefined();
  });

  it('reads "process" as a property of the payload, never as the host\'s', async () => {
    expect(await evaluate('process.env', { process: { env: 'from the payload' } })).toBe('from the payload');
  });
});

describe('Expression: results that are not values', () => {
  // A function is not data: writing it to a record or a trace makes no sense. The expression must
  // fail with EXPRESSION_FAILED ("returned a function, not a value"); today a lambda throws a
  // TypeError (circular JSON) that the runner turns into a TRANSIENT error, retried for ever, and a
  // built-in function comes back as {"_jsonata_function": true, ...}.
  it.each(['function($x) { $x }', '$uppercase'])('%s fails with EXPRESSION_FAILED', async (source) => {
    const outcome = await evaluate(source).then(
      (value) => ({ value }),
      (error: Error) => ({ error: error instanceof AppError ? error.code : error.constructor.name, message: error.message }),
    );
    expect(outcome).toEqual({ error: ErrorCode.ExpressionFailed, message: expect.stringMatching(/returned a function, not a value$/) });
  });
});

describe('Expression: $parseJson', () => {
  const JOTFORM = { rawRequest: '{"q4_email":"ada@example.com","q3_fullName":{"first":"Ada","last":"Lovelace"}}' };

  it('reads a JSON text sent inside a form field', async () => {
    expect(await evaluate('$parseJson(rawRequest).q4_email', JOTFORM)).toBe('ada@example.com');
    expect(await evaluate("$join($parseJson(rawRequest).q3_fullName.[first, last], ' ')", JOTFORM)).toBe('Ada Lovelace');
    expect(await evaluate('$parseJson(missing)', JOTFORM)).toBeUndefined();
  });

  it('reads the text as data, never as an expression (which $eval would run)', async () => {
    const payload = { rawRequest: '{"q4_email": $steps.object.name}' };
    expect(await evaluate('$eval(rawRequest).q4_email', payload)).toBe('Lead');
    const { error } = await failure('$parseJson(rawRequest).q4_email', payload);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toContain('$parseJson: the text is not JSON');
  });

  it('refuses what is not a text, and JSON nested deeper than the limit', async () => {
    expect((await failure('$parseJson(items)')).error.message).toContain('$parseJson takes a JSON text, got a list');
    const deep = { text: `${'['.repeat(EXPRESSION_LIMITS.maxDepth + 1)}${']'.repeat(EXPRESSION_LIMITS.maxDepth + 1)}` };
    expect((await failure('$parseJson(text)', deep)).error.message).toContain(`nests deeper than ${EXPRESSION_LIMITS.maxDepth}`);
  });
});
