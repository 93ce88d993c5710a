// Filters (`x | name(args)`) and tests (`x is name`) available to templates: the
// ones Hugging Face chat templates use. A filter or test that is not here is a
// BadTemplate error at render time, naming it, rather than a silent no-op.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { Callable, equals, orElse, isDict, iterate, repr, str, toJson, truthy, Undefined, UNDEFINED, type Value } from './values.js';

export type Filter = (v: Value, args: Value[], kw: Record<string, Value>) => Value;
export type Test = (v: Value, args: Value[]) => boolean;

const fail = (msg: string) => new DatarusError(ErrorCode.BadTemplate, msg);

function list(v: Value, what: string): Value[] {
  const items = iterate(v);
  if (!items) throw fail(`${what}: ${repr(v)} is not iterable`);
  return items;
}

/** Attribute or key `name` of `v` (dotted paths allowed), Undefined when absent. */
export function pluck(v: Value, name: string): Value {
  let cur: Value = v;
  for (const part of name.split('.')) {
    if (isDict(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else if (Array.isArray(cur) && /^-?\d+$/.test(part)) cur = orElse(cur.at(Number(part)), UNDEFINED);
    else return UNDEFINED;
  }
  return cur;
}

function strip(s: string, chars?: Value, left = true, right = true): string {
  const set = typeof chars === 'string' ? chars : null;
  const isStrip = (c: string) => (set === null ? /\s/.test(c) : set.includes(c));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && isStrip(s[a])) a++;
  if (right) while (b > a && isStrip(s[b - 1])) b--;
  return s.slice(a, b);
}
export { strip as pyStrip };

const toInt = (v: Value, d: Value = 0): Value => {
  const n = typeof v === 'string' ? Number(v.trim()) : typeof v === 'boolean' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : d;
};

export const FILTERS: Record<string, Filter> = {
  trim: (v, a) => strip(str(v), a[0]),
  length: (v) => (isDict(v) ? Object.keys(v).length : list(v, 'length').length),
  upper: (v) => str(v).toUpperCase(),
  lower: (v) => str(v).toLowerCase(),
  capitalize: (v) => {
    const s = str(v);
    return s.slice(0, 1).toUpperCase() + s.slice(1).toLowerCase();
  },
  title: (v) => str(v).replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  default: (v, a, kw) => {
    const boolean = truthy(a[1] ?? kw.boolean ?? false);
    const fallback = orElse(a[0], orElse(kw.default_value, ''));
    return v instanceof Undefined || (boolean && !truthy(v)) ? fallback : v;
  },
  tojson: (v, a, kw) => {
    const indent = a[0] ?? kw.indent;
    return toJson(v, typeof indent === 'number' ? indent : undefined);
  },
  join: (v, a, kw) => {
    const attr = kw.attribute;
    const items = list(v, 'join').map((x) => (typeof attr === 'string' ? pluck(x, attr) : x));
    return items.map(str).join(str(a[0] ?? kw.d ?? ''));
  },
  first: (v) => orElse(list(v, 'first')[0], UNDEFINED),
  last: (v) => orElse(list(v, 'last').at(-1), UNDEFINED),
  string: (v) => str(v),
  int: (v, a) => toInt(v, a[0]),
  float: (v, a) => {
    const n = Number(typeof v === 'string' ? v.trim() : v);
    return Number.isFinite(n) ? n : (a[0] ?? 0);
  },
  abs: (v) => Math.abs(Number(v)),
  list: (v) => [...list(v, 'list')],
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...list(v, 'reverse')].reverse()),
  unique: (v) => list(v, 'unique').filter((x, i, xs) => xs.findIndex((y) => equals(x, y)) === i),
  items: (v) => (isDict(v) ? Object.entries(v).map(([k, x]) => [k, x]) : list(v, 'items')),
  replace: (v, a) => {
    const [s, from, to] = [str(v), str(a[0] ?? ''), str(a[1] ?? '')];
    const count = typeof a[2] === 'number' ? a[2] : -1;
    const parts = s.split(from);
    if (count < 0 || parts.length - 1 <= count) return parts.join(to);
    return parts.slice(0, count + 1).join(to) + from + parts.slice(count + 1).join(from);
  },
  safe: (v) => v,
  escape: (v) => str(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  indent: (v, a, kw) => {
    const width = a[0] ?? kw.width ?? 4;
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    const first = truthy(a[1] ?? kw.first ?? false);
    return str(v).split('\n').map((l, i) => ((i > 0 || first) && l ? pad + l : l)).join('\n');
  },
  map: (v, a, kw) => {
    const items = list(v, 'map');
    if (typeof kw.attribute === 'string') return items.map((x) => {
      const got = pluck(x, kw.attribute as string);
      return got instanceof Undefined && kw.default !== undefined ? kw.default : got;
    });
    const f = FILTERS[str(a[0] ?? '')];
    if (!f) throw fail(`map: unknown filter ${repr(a[0] ?? null)}`);
    return items.map((x) => f(x, a.slice(1), {}));
  },
  select: (v, a) => selectBy(v, a, false, undefined),
  reject: (v, a) => selectBy(v, a, true, undefined),
  selectattr: (v, a) => selectBy(v, a.slice(1), false, str(a[0] ?? '')),
  rejectattr: (v, a) => selectBy(v, a.slice(1), true, str(a[0] ?? '')),
};
FILTERS.count = FILTERS.length;
FILTERS.d = FILTERS.default;
FILTERS.e = FILTERS.escape;

function selectBy(v: Value, a: Value[], negate: boolean, attr: string | undefined): Value[] {
  const testName = a.length > 0 ? str(a[0]) : undefined;
  const test = testName === undefined ? (x: Value) => truthy(x) : (x: Value) => runTest(testName, x, a.slice(1));
  return list(v, 'select').filter((x) => test(attr === undefined ? x : pluck(x, attr)) !== negate);
}

export function runTest(name: string, v: Value, args: Value[]): boolean {
  const t = TESTS[name];
  if (!t) throw fail(`unknown test '${name}'`);
  return t(v, args);
}

const num = (v: Value): v is number => typeof v === 'number';

export const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null,
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  string: (v) => typeof v === 'string',
  number: (v) => num(v),
  integer: (v) => num(v) && Number.isInteger(v),
  float: (v) => num(v) && !Number.isInteger(v),
  mapping: (v) => isDict(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  iterable: (v) => iterate(v) !== undefined && !(v instanceof Undefined),
  callable: (v) => v instanceof Callable,
  odd: (v) => num(v) && Math.abs(v % 2) === 1,
  even: (v) => num(v) && v % 2 === 0,
  divisibleby: (v, a) => num(v) && num(a[0]) && v % a[0] === 0,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  equalto: (v, a) => equals(v, orElse(a[0], UNDEFINED)),
  ne: (v, a) => !equals(v, orElse(a[0], UNDEFINED)),
  sameas: (v, a) => v === a[0],
  in: (v, a) => {
    const c = a[0];
    if (typeof c === 'string') return c.includes(str(v));
    if (isDict(c)) return typeof v === 'string' && Object.hasOwn(c, v);
    return (iterate(orElse(c, UNDEFINED)) ?? []).some((x) => equals(x, v));
  },
  lt: (v, a) => num(v) && num(a[0]) && v < a[0],
  gt: (v, a) => num(v) && num(a[0]) && v > a[0],
  le: (v, a) => num(v) && num(a[0]) && v <= a[0],
  ge: (v, a) => num(v) && num(a[0]) && v >= a[0],
};
TESTS.eq = TESTS['=='] = TESTS.equalto;
TESTS['!='] = TESTS.ne;
TESTS['<'] = TESTS.lt;
TESTS['>'] = TESTS.gt;
