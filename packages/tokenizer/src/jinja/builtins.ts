// Global functions and the Python methods templates call on strings and dicts
// (message.content.strip(), m.get('x'), d.items()). Lists have no methods here:
// Hugging Face renders in an immutable sandbox, so append() and friends fail there too.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { FILTERS, pyStrip } from './filters.js';
import { Callable, isDict, orElse, iterate, Namespace, repr, str, UNDEFINED, type Dict, type Value } from './values.js';

const fail = (msg: string) => new DatarusError(ErrorCode.BadTemplate, msg);
const fn = (name: string, f: (a: Value[], kw: Record<string, Value>) => Value) => new Callable(name, f);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The common strftime directives, on local time. */
export function strftime(format: string, d = new Date()): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const map: Record<string, string> = {
    Y: String(d.getFullYear()), y: p2(d.getFullYear() % 100), m: p2(d.getMonth() + 1), d: p2(d.getDate()),
    e: String(d.getDate()), B: MONTHS[d.getMonth()], b: MONTHS[d.getMonth()].slice(0, 3),
    A: DAYS[d.getDay()], a: DAYS[d.getDay()].slice(0, 3), H: p2(d.getHours()), M: p2(d.getMinutes()),
    S: p2(d.getSeconds()), I: p2(((d.getHours() + 11) % 12) + 1), p: d.getHours() < 12 ? 'AM' : 'PM', '%': '%',
  };
  return format.replace(/%(.)/g, (m, c: string) => map[c] ?? m);
}

/** Functions every template can call. */
export function globalFunctions(): Dict {
  return {
    raise_exception: fn('raise_exception', (a) => {
      throw fail(`raise_exception: ${str(a[0] ?? '')}`);
    }),
    range: fn('range', (a) => {
      const nums = a.map(Number);
      const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
      if (!step) throw fail('range() step must not be zero');
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (out.length >= 1e6) throw fail('range() too large');
        out.push(i);
      }
      return out;
    }),
    namespace: fn('namespace', (a, kw) => new Namespace({ ...(isDict(a[0]) ? a[0] : {}), ...kw })),
    dict: fn('dict', (a, kw) => ({ ...(isDict(a[0]) ? a[0] : {}), ...kw })),
    strftime_now: fn('strftime_now', (a) => strftime(str(a[0] ?? ''))),
  };
}

/** A bound method `obj.name`, or undefined when `obj` has no such method. */
export function methodOf(obj: Value, name: string): Callable | undefined {
  if (typeof obj === 'string') {
    const m = STRING_METHODS[name];
    return m && fn(name, (a, kw) => m(obj, a, kw));
  }
  if (isDict(obj)) {
    const m = DICT_METHODS[name];
    return m && fn(name, (a) => m(obj, a));
  }
  return undefined;
}

type StrMethod = (s: string, a: Value[], kw: Record<string, Value>) => Value;

const STRING_METHODS: Record<string, StrMethod> = {
  strip: (s, a) => pyStrip(s, a[0]),
  lstrip: (s, a) => pyStrip(s, a[0], true, false),
  rstrip: (s, a) => pyStrip(s, a[0], false, true),
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  title: (s) => str(FILTERS.title(s, [], {})),
  capitalize: (s) => str(FILTERS.capitalize(s, [], {})),
  startswith: (s, a) => prefixes(a[0]).some((p) => s.startsWith(p)),
  endswith: (s, a) => prefixes(a[0]).some((p) => s.endsWith(p)),
  replace: (s, a) => FILTERS.replace(s, a, {}),
  find: (s, a) => s.indexOf(str(a[0] ?? '')),
  rfind: (s, a) => s.lastIndexOf(str(a[0] ?? '')),
  count: (s, a) => s.split(str(a[0] ?? '')).length - 1,
  join: (s, a) => (iterate(a[0] ?? UNDEFINED) ?? []).map(str).join(s),
  splitlines: (s) => s.split(/\r\n|\r|\n/).filter((x, i, xs) => i < xs.length - 1 || x !== ''),
  isdigit: (s) => /^\d+$/.test(s),
  isspace: (s) => /^\s+$/.test(s),
  split: (s, a, kw) => {
    const sep = a[0] ?? kw.sep ?? null;
    const max = Number(a[1] ?? kw.maxsplit ?? -1);
    const parts = sep === null ? s.trim().split(/\s+/).filter((x) => x !== '') : s.split(str(sep));
    if (max < 0 || parts.length <= max + 1) return parts;
    if (sep === null) {
      // Python keeps the remainder (left-stripped) as the last element.
      const head = parts.slice(0, max);
      let rest = s.trimStart();
      for (const h of head) rest = rest.slice(rest.indexOf(h) + h.length).trimStart();
      return [...head, rest];
    }
    return [...parts.slice(0, max), parts.slice(max).join(str(sep))];
  },
};

function prefixes(v: Value | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(str);
  throw fail(`startswith/endswith take a string or a tuple, not ${repr(v ?? UNDEFINED)}`);
}

const DICT_METHODS: Record<string, (d: Dict, a: Value[]) => Value> = {
  items: (d) => Object.entries(d).map(([k, v]) => [k, v]),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  get: (d, a) => {
    const k = str(a[0] ?? '');
    return Object.hasOwn(d, k) ? d[k] : orElse(a[1], null);
  },
};
