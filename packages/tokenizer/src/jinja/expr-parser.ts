// Expression parser (recursive descent) for the Jinja2 subset, with Jinja's
// precedence, loosest first: `x if c else y`, or, and, not, comparisons and `in`,
// + -, ~, * / // %, **, unary - +, then primaries with .attr, [index/slice],
// calls, |filters and `is` tests. The statement parser extends this class.
import type { Expr } from './ast.js';
import { templateError } from './errors.js';
import type { Token } from './lexer.js';

const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

export class ExprParser {
  protected i = 0;

  constructor(
    protected readonly src: string,
    protected readonly toks: Token[],
  ) {}

  protected peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
  }

  protected next(): Token {
    return this.toks[Math.min(this.i++, this.toks.length - 1)];
  }

  protected isOp(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'op' && t.v === v;
  }

  protected isName(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'name' && t.v === v;
  }

  protected eatOp(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }

  protected eatName(v: string): boolean {
    if (!this.isName(v)) return false;
    this.i++;
    return true;
  }

  protected expectOp(v: string): Token {
    if (!this.isOp(v)) throw this.error(`expected '${v}'`);
    return this.next();
  }

  protected expectName(what = 'a name'): string {
    const t = this.peek();
    if (t.t !== 'name') throw this.error(`expected ${what}`);
    this.i++;
    return t.v;
  }

  protected error(msg: string, tok = this.peek()): Error {
    const seen = tok.t === 'eof' ? 'end of template' : tok.t === 'text' ? 'text' : `'${'v' in tok ? tok.v : tok.t}'`;
    return templateError(this.src, tok.pos, `${msg}, found ${seen}`);
  }

  /** expr (',' expr)* as a tuple when there is a comma, for `set` values and `for` iterables. */
  protected parseTupleOrExpr(): Expr {
    const first = this.parseExpr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.eatOp(',')) items.push(this.parseExpr());
    return { k: 'tuple', items, pos: first.pos };
  }

  parseExpr(): Expr {
    const e = this.parseOr();
    if (!this.isName('if')) return e;
    const pos = this.next().pos;
    const test = this.parseOr();
    const else_ = this.eatName('else') ? this.parseExpr() : undefined;
    return { k: 'cond', test, then: e, else_, pos };
  }

  /** Like parseExpr but without the `if` ternary (for `for ... in xs if cond`). */
  protected parseOr(): Expr {
    let l = this.parseAnd();
    while (this.isName('or')) {
      const pos = this.next().pos;
      l = { k: 'bin', op: 'or', l, r: this.parseAnd(), pos };
    }
    return l;
  }

  private parseAnd(): Expr {
    let l = this.parseNot();
    while (this.isName('and')) {
      const pos = this.next().pos;
      l = { k: 'bin', op: 'and', l, r: this.parseNot(), pos };
    }
    return l;
  }

  private parseNot(): Expr {
    if (this.isName('not')) {
      const pos = this.next().pos;
      return { k: 'unary', op: 'not', e: this.parseNot(), pos };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    let l = this.parseBinary(0);
    for (;;) {
      const t = this.peek();
      let op: string | undefined;
      if (t.t === 'op' && COMPARE.has(t.v)) op = t.v;
      else if (this.isName('in')) op = 'in';
      else if (this.isName('not') && this.isName('in', 1)) op = 'not in';
      if (!op) return l;
      this.i += op === 'not in' ? 2 : 1;
      l = { k: 'bin', op, l, r: this.parseBinary(0), pos: t.pos };
    }
  }

  /** Binary levels above comparison, loosest first. */
  private static readonly LEVELS: string[][] = [['+', '-'], ['~'], ['*', '/', '//', '%']];

  private parseBinary(level: number): Expr {
    if (level === ExprParser.LEVELS.length) return this.parsePow();
    let l = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !ExprParser.LEVELS[level].includes(t.v)) return l;
      this.i++;
      l = { k: 'bin', op: t.v, l, r: this.parseBinary(level + 1), pos: t.pos };
    }
  }

  private parsePow(): Expr {
    const l = this.parseUnary();
    if (!this.isOp('**')) return l;
    const pos = this.next().pos;
    return { k: 'bin', op: '**', l, r: this.parsePow(), pos };
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.i++;
      return this.parseFilters({ k: 'unary', op: t.v, e: this.parseUnary(), pos: t.pos });
    }
    return this.parseFilters(this.parsePostfix(this.parsePrimary()));
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'str': {
        let v = t.v;
        while (this.peek().t === 'str') v += (this.next() as { v: string }).v; // adjacent literals concatenate
        return { k: 'lit', v, pos: t.pos };
      }
      case 'num':
        return { k: 'lit', v: t.v, pos: t.pos };
      case 'name':
        if (t.v === 'true' || t.v === 'True') return { k: 'lit', v: true, pos: t.pos };
        if (t.v === 'false' || t.v === 'False') return { k: 'lit', v: false, pos: t.pos };
        if (t.v === 'none' || t.v === 'None') return { k: 'lit', v: null, pos: t.pos };
        return { k: 'name', name: t.v, pos: t.pos };
      case 'op':
        if (t.v === '(') {
          if (this.eatOp(')')) return { k: 'tuple', items: [], pos: t.pos };
          const e = this.parseExpr();
          if (this.isOp(',')) {
            const items = [e];
            while (this.eatOp(',') && !this.isOp(')')) items.push(this.parseExpr());
            this.expectOp(')');
            return { k: 'tuple', items, pos: t.pos };
          }
          this.expectOp(')');
          return e;
        }
        if (t.v === '[') return { k: 'list', items: this.parseSeq(']'), pos: t.pos };
        if (t.v === '{') {
          const entries: [Expr, Expr][] = [];
          while (!this.eatOp('}')) {
            if (entries.length > 0) this.expectOp(',');
            if (this.eatOp('}')) break;
            const key = this.parseExpr();
            this.expectOp(':');
            entries.push([key, this.parseExpr()]);
          }
          return { k: 'dict', entries, pos: t.pos };
        }
    }
    this.i--;
    throw this.error('expected an expression');
  }

  /** Comma-separated expressions up to `close` (trailing comma allowed). */
  private parseSeq(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.eatOp(close)) {
      if (items.length > 0) this.expectOp(',');
      if (this.eatOp(close)) break;
      items.push(this.parseExpr());
    }
    return items;
  }

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (this.eatOp('.')) {
        const nt = this.next();
        if (nt.t === 'name') e = { k: 'attr', obj: e, name: nt.v, pos: t.pos };
        else if (nt.t === 'num' && Number.isInteger(nt.v)) e = { k: 'index', obj: e, index: { k: 'lit', v: nt.v, pos: nt.pos }, pos: t.pos };
        else throw this.error('expected an attribute name', nt);
      } else if (this.eatOp('[')) {
        e = this.parseSubscript(e, t.pos);
      } else if (this.eatOp('(')) {
        const { args, kwargs } = this.parseArgs();
        e = { k: 'call', fn: e, args, kwargs, pos: t.pos };
      } else return e;
    }
  }

  private parseSubscript(obj: Expr, pos: number): Expr {
    const part = () => (this.isOp(':') || this.isOp(']') ? undefined : this.parseExpr());
    const start = part();
    if (this.eatOp(']')) {
      if (!start) throw this.error('empty subscript');
      return { k: 'index', obj, index: start, pos };
    }
    this.expectOp(':');
    const stop = part();
    const step = this.eatOp(':') ? part() : undefined;
    this.expectOp(']');
    return { k: 'slice', obj, start, stop, step, pos };
  }

  /** Call arguments after '(' up to ')': positional then name=value. */
  protected parseArgs(): { args: Expr[]; kwargs: [string, Expr][] } {
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.eatOp(')')) {
      if (args.length + kwargs.length > 0) this.expectOp(',');
      if (this.eatOp(')')) break;
      if (this.peek().t === 'name' && this.isOp('=', 1)) {
        const name = this.expectName();
        this.i++;
        kwargs.push([name, this.parseExpr()]);
      } else {
        if (kwargs.length > 0) throw this.error('positional argument after keyword argument');
        args.push(this.parseExpr());
      }
    }
    return { args, kwargs };
  }

  private parseFilters(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (this.eatOp('|')) {
        const name = this.parseDottedName();
        const { args, kwargs } = this.eatOp('(') ? this.parseArgs() : { args: [], kwargs: [] };
        e = { k: 'filter', value: e, name, args, kwargs, pos: t.pos };
      } else if (this.isName('is')) {
        this.i++;
        const negate = this.eatName('not');
        const name = this.parseDottedName();
        let args: Expr[] = [];
        if (this.eatOp('(')) args = this.parseArgs().args;
        else if (this.startsBareTestArg()) args = [this.parsePostfix(this.parsePrimary())];
        e = { k: 'test', value: e, name, args, negate, pos: t.pos };
      } else return e;
    }
  }

  private parseDottedName(): string {
    let name = this.expectName('a filter or test name');
    while (this.isOp('.') && this.peek(1).t === 'name') {
      this.i++;
      name += '.' + this.expectName();
    }
    return name;
  }

  /** Jinja allows one argument without parentheses: `x is divisibleby 3`, `x is sameas none`. */
  private startsBareTestArg(): boolean {
    const t = this.peek();
    if (t.t === 'str' || t.t === 'num') return true;
    if (t.t === 'op') return t.v === '[' || t.v === '{';
    return t.t === 'name' && !['else', 'or', 'and', 'if', 'not', 'in', 'is'].includes(t.v);
  }
}
