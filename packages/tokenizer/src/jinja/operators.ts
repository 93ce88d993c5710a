// Binary operators with Python semantics: == and != compare structurally, ~ joins
// as strings, + adds numbers or concatenates strings and lists, * repeats, // and %
// floor like Python, `in` tests substrings, list items and dict keys. Type errors
// go to `fail`, which the interpreter turns into a positioned BadTemplate error.
import { equals, isDict, iterate, Namespace, repr, str, type Value } from './values.js';

type Fail = (msg: string) => Error;

/** Applies `op` (anything but the short-circuiting and/or). */
export function binaryOp(op: string, l: Value, r: Value, fail: Fail): Value {
  switch (op) {
    case '==':
      return equals(l, r);
    case '!=':
      return !equals(l, r);
    case '~':
      return str(l) + str(r);
    case 'in':
    case 'not in':
      return contains(r, l, fail) !== (op === 'not in');
  }
  if (typeof l === 'string' && typeof r === 'string') {
    if (op === '+') return l + r;
    if (op === '<') return l < r;
    if (op === '>') return l > r;
    if (op === '<=') return l <= r;
    if (op === '>=') return l >= r;
  }
  if (op === '+' && Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  if (op === '*' && typeof r === 'number' && (typeof l === 'string' || Array.isArray(l))) {
    const n = Math.max(0, Math.trunc(r));
    if (n * (l.length || 1) > 1e7) throw fail('repetition too large');
    return typeof l === 'string' ? l.repeat(n) : Array.from({ length: n }, () => l).flat();
  }
  const a = typeof l === 'boolean' ? Number(l) : l;
  const b = typeof r === 'boolean' ? Number(r) : r;
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw fail(`unsupported operands for ${op}: ${repr(l) || 'undefined'} and ${repr(r) || 'undefined'}`);
  }
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '**': return a ** b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
  }
  if (b === 0) throw fail('division by zero');
  if (op === '/') return a / b;
  if (op === '//') return Math.floor(a / b);
  if (op === '%') return a - b * Math.floor(a / b);
  throw fail(`unknown operator ${op}`);
}

/** Python `item in container`. */
export function contains(container: Value, item: Value, fail: Fail): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw fail(`'in <string>' requires a string, not ${repr(item)}`);
    return container.includes(item);
  }
  if (isDict(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  if (container instanceof Namespace) return typeof item === 'string' && Object.hasOwn(container.attrs, item);
  const items = iterate(container);
  if (!items) throw fail(`${repr(container)} is not a container`);
  return items.some((x) => equals(x, item));
}
