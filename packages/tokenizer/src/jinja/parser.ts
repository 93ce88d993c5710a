// Statement parser: turns lexer tokens into a tree of Stmt nodes. Supports text,
// {{ expr }}, if/elif/else, for (with tuple unpacking, an `if` filter and else),
// set (plain, unpacking, namespace attribute, and block form), macro, break,
// continue, and generation blocks (rendered as their body, as HF's tracker does).
import type { Expr, Stmt, Target } from './ast.js';
import { ExprParser } from './expr-parser.js';
import { lex, type LexOptions } from './lexer.js';

/** Parses a template into its statement list; throws DatarusError(BadTemplate) with a position. */
export function parseTemplate(src: string, options: LexOptions = {}): Stmt[] {
  return new StmtParser(src, lex(src, options)).parseRoot();
}

class StmtParser extends ExprParser {
  parseRoot(): Stmt[] {
    const { body, end } = this.parseBody([]);
    if (end) throw this.error(`unexpected '{% ${end} %}'`);
    return body;
  }

  /**
   * Parses statements until a block tag whose keyword is in `ends` (consumed up to
   * the keyword; returned as `end`) or the end of input (end undefined).
   */
  private parseBody(ends: string[]): { body: Stmt[]; end?: string } {
    const body: Stmt[] = [];
    for (;;) {
      const t = this.next();
      if (t.t === 'eof') {
        if (ends.length > 0) throw this.error(`missing '{% ${ends[ends.length - 1]} %}'`, t);
        return { body };
      }
      if (t.t === 'text') {
        body.push({ k: 'text', v: t.v, pos: t.pos });
      } else if (t.t === 'open' && t.kind === 'var') {
        body.push({ k: 'output', e: this.parseTupleOrExpr(), pos: t.pos });
        this.expectClose('var');
      } else if (t.t === 'open') {
        const kw = this.peek();
        if (kw.t === 'name' && ends.includes(kw.v)) {
          this.i++;
          return { body, end: kw.v };
        }
        body.push(this.parseBlock());
      } else {
        throw this.error('unexpected token', t);
      }
    }
  }

  private expectClose(kind: 'block' | 'var'): void {
    const t = this.peek();
    if (t.t !== 'close' || t.kind !== kind) throw this.error(`expected '${kind === 'block' ? '%}' : '}}'}'`);
    this.i++;
  }

  private parseBlock(): Stmt {
    const kwTok = this.peek();
    const kw = this.expectName('a statement keyword');
    const pos = kwTok.pos;
    switch (kw) {
      case 'if':
        return this.parseIf(pos);
      case 'for':
        return this.parseFor(pos);
      case 'set':
        return this.parseSet(pos);
      case 'macro':
        return this.parseMacro(pos);
      case 'break':
      case 'continue':
        this.expectClose('block');
        return { k: kw, pos };
      case 'generation': {
        this.expectClose('block');
        const { body } = this.parseBody(['endgeneration']);
        this.expectClose('block');
        return { k: 'block', body, pos };
      }
      default:
        this.i--;
        throw this.error(`unknown or misplaced statement '${kw}'`);
    }
  }

  private parseIf(pos: number): Stmt {
    const branches: { cond: Expr; body: Stmt[] }[] = [];
    let cond = this.parseExpr();
    for (;;) {
      this.expectClose('block');
      const { body, end } = this.parseBody(['elif', 'else', 'endif']);
      branches.push({ cond, body });
      if (end === 'elif') {
        cond = this.parseExpr();
        continue;
      }
      if (end === 'else') {
        this.expectClose('block');
        const rest = this.parseBody(['endif']);
        this.expectClose('block');
        return { k: 'if', branches, else_: rest.body, pos };
      }
      this.expectClose('block');
      return { k: 'if', branches, pos };
    }
  }

  private parseFor(pos: number): Stmt {
    const names = [this.expectName('a loop variable')];
    while (this.eatOp(',')) names.push(this.expectName('a loop variable'));
    if (!this.eatName('in')) throw this.error("expected 'in'");
    const iter = this.parseOrTuple();
    const filter = this.eatName('if') ? this.parseOr() : undefined;
    if (this.eatName('recursive')) throw this.error('recursive loops are not supported');
    this.expectClose('block');
    const { body, end } = this.parseBody(['else', 'endfor']);
    let else_: Stmt[] | undefined;
    if (end === 'else') {
      this.expectClose('block');
      else_ = this.parseBody(['endfor']).body;
    }
    this.expectClose('block');
    return { k: 'for', names, iter, filter, body, else_, pos };
  }

  /** A loop iterable: an or-expression (no ternary, which would eat the loop filter), or a bare tuple. */
  private parseOrTuple() {
    const first = this.parseOr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.eatOp(',')) items.push(this.parseOr());
    return { k: 'tuple' as const, items, pos: first.pos };
  }

  private parseSet(pos: number): Stmt {
    const first = this.expectName('a variable name');
    let target: Target;
    if (this.eatOp('.')) {
      target = { obj: first, attr: this.expectName('an attribute name'), pos };
    } else {
      const names = [first];
      while (this.eatOp(',')) names.push(this.expectName('a variable name'));
      target = { names, pos };
    }
    if (this.eatOp('=')) {
      const value = this.parseTupleOrExpr();
      this.expectClose('block');
      return { k: 'set', target, value, pos };
    }
    if (!('names' in target) || target.names.length !== 1) throw this.error("expected '='");
    this.expectClose('block');
    const { body } = this.parseBody(['endset']);
    this.expectClose('block');
    return { k: 'setBlock', name: first, body, pos };
  }

  private parseMacro(pos: number): Stmt {
    const name = this.expectName('a macro name');
    this.expectOp('(');
    const params: { name: string; def?: Expr }[] = [];
    while (!this.eatOp(')')) {
      if (params.length > 0) this.expectOp(',');
      const p = this.expectName('a parameter name');
      params.push({ name: p, def: this.eatOp('=') ? this.parseExpr() : undefined });
    }
    this.expectClose('block');
    const { body } = this.parseBody(['endmacro']);
    this.expectClose('block');
    return { k: 'macro', name, params, body, pos };
  }
}
