import { describe, expect, it } from '@jest/globals';
import { StatementBatcher } from './statement-batcher.js';

/** A batcher over a fake table that records the statements it was given. */
function table(bad = new Set<number>()) {
  const statements: number[][] = [];
  const check = (item: number) => {
    if (bad.has(item)) throw new Error(`row ${item} is refused`);
  };
  const batcher = new StatementBatcher<number, string>(
    async (items) => {
      statements.push(items);
      items.forEach(check);
      return items.map((item) => `row ${item}`);
    },
    async (item) => {
      statements.push([item]);
      check(item);
      return `row ${item}`;
    },
  );
  return { batcher, statements };
}

describe('StatementBatcher', () => {
  it('writes a lone row in a statement of its own', async () => {
    const { batcher, statements } = table();
    expect(await batcher.send(1)).toBe('row 1');
    expect(statements).toEqual([[1]]);
  });

  it('writes the rows that arrive together in one statement, each with its own result', async () => {
    const { batcher, statements } = table();
    expect(await Promise.all([1, 2, 3].map((item) => batcher.send(item)))).toEqual(['row 1', 'row 2', 'row 3']);
    expect(statements).toEqual([[1, 2, 3]]);
  });

  it('groups the rows that arrive while a statement is on its way into the next one', async () => {
    const { batcher, statements } = table();
    const first = batcher.send(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((item) => batcher.send(item));
    await Promise.all([first, ...rest]);
    expect(statements).toEqual([[1], [2, 3, 4]]);
  });

  it('when a statement of several rows fails, writes each again alone: only the bad row fails', async () => {
    const { batcher, statements } = table(new Set([2]));
    const results = await Promise.allSettled([1, 2, 3].map((item) => batcher.send(item)));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message))).toEqual([
      'row 1',
      'row 2 is refused',
      'row 3',
    ]);
    expect(statements).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('keeps at most 100 rows in a statement', async () => {
    const { batcher, statements } = table();
    await Promise.all(Array.from({ length: 250 }, (_, i) => batcher.send(i)));
    expect(statements.map((statement) => statement.length)).toEqual([100, 100, 50]);
  });
});
