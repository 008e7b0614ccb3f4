import { RE2JS } from 're2js';

/**
 * The regular expressions of process expressions, matched by RE2 in linear time: a pattern
 * like (a+)+$ cannot hold the worker, which a backtracking engine would do for seconds or
 * more (and JSONata's time limit cannot interrupt one regular-expression match). RE2 syntax
 * has no backreferences or lookarounds; such a pattern fails its expression with a message.
 *
 * JSONata builds a native RegExp for each regex literal and constructs this class from it;
 * it then calls only exec() with lastIndex, as a global RegExp is used.
 */
export class LinearRegExp {
  lastIndex = 0;
  private readonly pattern: ReturnType<typeof RE2JS.compile>;

  constructor(source: RegExp) {
    let flags = 0;
    if (source.flags.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
    if (source.flags.includes('m')) flags |= RE2JS.MULTILINE;
    this.pattern = RE2JS.compile(source.source, flags);
  }

  exec(text: string): (RegExpExecArray & string[]) | null {
    const matcher = this.pattern.matcher(text);
    if (this.lastIndex > text.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? undefined);
    const match = Object.assign(groups as string[], { index: matcher.start(), input: text }) as RegExpExecArray;
    this.lastIndex = matcher.end();
    return match;
  }
}
