import { it } from '@jest/globals';
import { Expression } from './expression.js';

it('x', async () => {
  const ev = async (src: string, input: unknown = {}, b: Record<string, unknown> = {}) => { const t = Date.now(); try { console.log(src, '=>', JSON.stringify(await Expression.compile(src).evaluate(input, b)), Date.now() - t); } catch (e: any) { console.log(src, 'ERR', e.constructor.name, e.code, e.message, Date.now() - t); } };
  await ev('function($x){ $x }');
  await ev('$uppercase');
  await ev('$pad("", 1000001, "x")');
  await ev('$pad("", 999990, "x")');
  await ev('[1..100001]');
  await ev('$string(1/0)');
  await ev('1/0');
  await ev('$millis() > 0');
  await ev('$substring("abc", 1)');
  await ev('$match("aaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)');
});
