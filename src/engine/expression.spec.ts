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

/** The AppError an evaluation rejects with, and how long it took. */
async function failure(source: string, input: unknown = PAYLOAD): Promise<{ error: AppError; elapsedMs: number }> {
  const started = Date.now();
  try {
    const value = await evaluate(source, input);
    throw new Error(`expected ${source} to fail, got ${JSON.stringify(value)?.slice(0, 100)}`);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error, elapsedMs: Date.now() - started };
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
    const { error, elapsedMs } = await failure('($loop := function($n) { $loop($n + 1) }; $loop(0))');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/^Expression "\(\$loop := .*" failed: /);
    expect(error.message).toMatch(new RegExp(`timeout after ${EXPRESSION_LIMITS.timeoutMs} milliseconds|longer than ${EXPRESSION_LIMITS.timeoutMs} ms`));
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('stops a runaway deep recursion within 2 s', async () => {
    const { error, elapsedMs } = await failure('($deep := function($n) { 1 + $deep($n + 1) }; $deep(0))');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/[Ss]tack overflow|nested deeper than/);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('refuses a sequence longer than the limit', async () => {
    const { error, elapsedMs } = await failure('$join([1..200000].("xxxxxxxxxx"))');
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/maximum sequence length/);
    expect(elapsedMs).toBeLessThan(2000);

    expect((await failure(`[1..${EXPRESSION_LIMITS.maxSequence + 1}]`)).error.message).toMatch(/maximum sequence length/);
  });

  it('refuses a result larger than the limit, saying how large it was', async () => {
    const { error } = await failure(`$pad("", ${EXPRESSION_LIMITS.maxResultChars + 1}, "x")`);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    // The JSON of the string: its characters and two quotes.
    expect(error.message).toBe(
      `Expression "$pad(\\"\\", ${EXPRESSION_LIMITS.maxResultChars + 1}, \\"x\\")" returned ${EXPRESSION_LIMITS.maxResultChars + 3} characters, ` +
        `more than the limit of ${EXPRESSION_LIMITS.maxResultChars}`,
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
  it.each(['$process', 'process', 'process.env', 'process.env.PATH', 'require', '$require', 'globalThis', '$globalThis', 'module', '$process.exit(1)', '$eval("$process")'])(
    '%s evaluates to nothing',
    async (source) => {
      expect(await evaluate(source)).toBeUndefined();
    },
  );

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
  it.each(['function($x) { $x }', '$uppercase'])(
    '%s fails with EXPRESSION_FAILED',
    async (source) => {
      const outcome = await evaluate(source).then(
        (value) => ({ value }),
        (error: Error) => ({ error: error instanceof AppError ? error.code : error.constructor.name, message: error.message }),
      );
      expect(outcome).toEqual({ error: ErrorCode.ExpressionFailed, message: expect.stringMatching(/returned a function, not a value$/) });
    },
  );
});
