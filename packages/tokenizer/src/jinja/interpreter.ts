// Tree-walking renderer for parsed templates. Scoping follows Jinja: each loop
// iteration and each macro call gets a child scope, so `set` inside a loop is not
// seen after it (templates use namespace() for that). Errors carry the template
// position of the node that failed.
import { DatarusError } from '@datarus/contracts';
import type { Expr, Stmt } from './ast.js';
import { methodOf } from './builtins.js';
import { templateError } from './errors.js';
import { FILTERS, runTest } from './filters.js';
import { binaryOp } from './operators.js';
import { Callable, orElse, pySlice, isDict, iterate, Namespace, repr, str, truthy, Undefined, UNDEFINED, type Dict, type Value } from './values.js';

export class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    return this.vars.has(name) ? this.vars.get(name) : this.parent?.lookup(name);
  }

  set(name: string, v: Value): void {
    this.vars.set(name, v);
  }
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
const MAX_CALL_DEPTH = 100;

export class Interpreter {
  private readonly positioned = new WeakSet<object>();
  private depth = 0;

  constructor(private readonly src: string) {}

  render(body: Stmt[], scope: Scope): string {
    const out: string[] = [];
    this.exec(body, scope, out);
    return out.join('');
  }

  private fail(pos: number, msg: string, cause?: unknown): DatarusError {
    const e = templateError(this.src, pos, msg, cause);
    this.positioned.add(e);
    return e;
  }

  /** Gives an error from a filter, test or function the position of the node that called it. */
  private place(pos: number, e: unknown): unknown {
    if (typeof e !== 'object' || e === null || this.positioned.has(e)) return e;
    return this.fail(pos, e instanceof Error ? e.message : String(e), e);
  }

  private exec(body: Stmt[], scope: Scope, out: string[]): void {
    for (const s of body) this.stmt(s, scope, out);
  }

  private stmt(s: Stmt, scope: Scope, out: string[]): void {
    switch (s.k) {
      case 'text':
        out.push(s.v);
        return;
      case 'output':
        out.push(str(this.eval(s.e, scope)));
        return;
      case 'block':
        this.exec(s.body, scope, out);
        return;
      case 'if': {
        const hit = s.branches.find((b) => truthy(this.eval(b.cond, scope)));
        if (hit) this.exec(hit.body, scope, out);
        else if (s.else_) this.exec(s.else_, scope, out);
        return;
      }
      case 'for':
        return this.loop(s, scope, out);
      case 'set': {
        const v = this.eval(s.value, scope);
        if ('names' in s.target) return this.bind(scope, s.target.names, v, s.pos);
        const ns = scope.lookup(s.target.obj);
        if (!(ns instanceof Namespace)) throw this.fail(s.pos, `cannot set '${s.target.attr}' on '${s.target.obj}', which is not a namespace()`);
        ns.attrs[s.target.attr] = v;
        return;
      }
      case 'setBlock':
        scope.set(s.name, this.render(s.body, new Scope(scope)));
        return;
      case 'macro':
        scope.set(s.name, this.macro(s, scope));
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private loop(s: Extract<Stmt, { k: 'for' }>, scope: Scope, out: string[]): void {
    const iterable = this.eval(s.iter, scope);
    let items = iterate(iterable);
    if (!items) throw this.fail(s.iter.pos, `${repr(iterable)} is not iterable`);
    if (s.filter) {
      const f = s.filter;
      items = items.filter((x) => {
        const sc = new Scope(scope);
        this.bind(sc, s.names, x, s.pos);
        return truthy(this.eval(f, sc));
      });
    }
    if (items.length === 0 && s.else_) return this.exec(s.else_, scope, out);
    const n = items.length;
    for (let i = 0; i < n; i++) {
      const sc = new Scope(scope);
      this.bind(sc, s.names, items[i], s.pos);
      const loop: Dict = {
        index: i + 1, index0: i, revindex: n - i, revindex0: n - i - 1, first: i === 0, last: i === n - 1,
        length: n, previtem: i > 0 ? items[i - 1] : UNDEFINED, nextitem: i + 1 < n ? items[i + 1] : UNDEFINED,
        cycle: new Callable('cycle', (a) => (a.length ? a[i % a.length] : UNDEFINED)),
      };
      sc.set('loop', loop);
      try {
        this.exec(s.body, sc, out);
      } catch (e) {
        if (e === BREAK) break;
        if (e !== CONTINUE) throw e;
      }
    }
  }

  private bind(scope: Scope, names: string[], v: Value, pos: number): void {
    if (names.length === 1) return scope.set(names[0], v);
    const parts = iterate(v);
    if (!parts || parts.length !== names.length) {
      throw this.fail(pos, `cannot unpack ${repr(v)} into ${names.length} names`);
    }
    names.forEach((name, i) => scope.set(name, parts[i]));
  }

  private macro(s: Extract<Stmt, { k: 'macro' }>, defScope: Scope): Callable {
    return new Callable(s.name, (args, kwargs) => {
      if (++this.depth > MAX_CALL_DEPTH) throw this.fail(s.pos, `macro '${s.name}' recursed too deeply`);
      try {
        const sc = new Scope(defScope);
        s.params.forEach((p, i) => {
          const v = i < args.length ? args[i] : Object.hasOwn(kwargs, p.name) ? kwargs[p.name] : undefined;
          sc.set(p.name, orElse(v, p.def ? this.eval(p.def, sc) : UNDEFINED));
        });
        sc.set('varargs', args.slice(s.params.length));
        return this.render(s.body, sc);
      } finally {
        this.depth--;
      }
    });
  }

  eval(e: Expr, scope: Scope): Value {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'name':
        return orElse(scope.lookup(e.name), new Undefined(e.name));
      case 'list':
      case 'tuple':
        return e.items.map((x) => this.eval(x, scope));
      case 'dict': {
        const d: Dict = {};
        for (const [k, v] of e.entries) d[str(this.eval(k, scope))] = this.eval(v, scope);
        return d;
      }
      case 'attr':
        return this.getAttr(this.eval(e.obj, scope), e.name, e.pos);
      case 'index':
        return this.getItem(this.eval(e.obj, scope), this.eval(e.index, scope), e.pos);
      case 'slice':
        return this.slice(e, scope);
      case 'call': {
        const f = this.eval(e.fn, scope);
        if (!(f instanceof Callable)) throw this.fail(e.pos, `${describe(e.fn)} is not callable`);
        const args = e.args.map((a) => this.eval(a, scope));
        const kwargs = Object.fromEntries(e.kwargs.map(([k, v]) => [k, this.eval(v, scope)]));
        try {
          return f.fn(args, kwargs);
        } catch (err) {
          throw this.place(e.pos, err);
        }
      }
      case 'filter': {
        const f = FILTERS[e.name];
        if (!f) throw this.fail(e.pos, `unknown filter '${e.name}'`);
        const v = this.eval(e.value, scope);
        const args = e.args.map((a) => this.eval(a, scope));
        const kwargs = Object.fromEntries(e.kwargs.map(([k, x]) => [k, this.eval(x, scope)]));
        try {
          return f(v, args, kwargs);
        } catch (err) {
          throw this.place(e.pos, err);
        }
      }
      case 'test': {
        const v = this.eval(e.value, scope);
        const args = e.args.map((a) => this.eval(a, scope));
        try {
          return runTest(e.name, v, args) !== e.negate;
        } catch (err) {
          throw this.place(e.pos, err);
        }
      }
      case 'unary': {
        const v = this.eval(e.e, scope);
        if (e.op === 'not') return !truthy(v);
        if (typeof v !== 'number') throw this.fail(e.pos, `bad operand for unary ${e.op}: ${repr(v)}`);
        return e.op === '-' ? -v : v;
      }
      case 'cond':
        return truthy(this.eval(e.test, scope)) ? this.eval(e.then, scope) : e.else_ ? this.eval(e.else_, scope) : UNDEFINED;
      case 'bin':
        return this.binary(e, scope);
    }
  }

  private binary(e: Extract<Expr, { k: 'bin' }>, scope: Scope): Value {
    const l = this.eval(e.l, scope);
    if (e.op === 'and') return truthy(l) ? this.eval(e.r, scope) : l;
    if (e.op === 'or') return truthy(l) ? l : this.eval(e.r, scope);
    return binaryOp(e.op, l, this.eval(e.r, scope), (msg) => this.fail(e.pos, msg));
  }

  private getAttr(obj: Value, name: string, pos: number): Value {
    if (obj instanceof Undefined) throw this.fail(pos, `'${obj.hint}' is undefined (reading .${name})`);
    if (obj instanceof Namespace) return Object.hasOwn(obj.attrs, name) ? obj.attrs[name] : new Undefined(name);
    if (isDict(obj) && Object.hasOwn(obj, name)) return obj[name];
    return methodOf(obj, name) ?? new Undefined(name);
  }

  private getItem(obj: Value, key: Value, pos: number): Value {
    if (obj instanceof Undefined) throw this.fail(pos, `'${obj.hint}' is undefined (reading [${repr(key)}])`);
    if ((Array.isArray(obj) || typeof obj === 'string') && typeof key === 'number') {
      return orElse(Number.isInteger(key) ? obj.at(key) : undefined, new Undefined(`[${key}]`));
    }
    if (isDict(obj) && (typeof key === 'string' || typeof key === 'number')) {
      if (Object.hasOwn(obj, String(key))) return obj[String(key)];
    }
    return typeof key === 'string' ? this.getAttr(obj, key, pos) : new Undefined(`[${repr(key)}]`);
  }

  private slice(e: Extract<Expr, { k: 'slice' }>, scope: Scope): Value {
    const obj = this.eval(e.obj, scope);
    if (!Array.isArray(obj) && typeof obj !== 'string') throw this.fail(e.pos, `cannot slice ${repr(obj) || 'undefined'}`);
    const num = (x?: Expr) => {
      const v = x ? this.eval(x, scope) : null;
      if (v !== null && typeof v !== 'number') throw this.fail(e.pos, 'slice indices must be integers');
      return v;
    };
    const step = num(e.step) ?? 1;
    if (step === 0) throw this.fail(e.pos, 'slice step cannot be zero');
    return pySlice(obj, num(e.start), num(e.stop), step);
  }
}

function describe(e: Expr): string {
  if (e.k === 'name') return `'${e.name}'`;
  if (e.k === 'attr') return `'.${e.name}'`;
  return 'this value';
}
