// Runtime values of the template interpreter and their Python semantics. Values are
// plain JS: strings, numbers, booleans, null (None), arrays (lists and tuples),
// plain objects (dicts), plus three classes: Undefined (a missing name or key),
// Namespace (from namespace(), the one mutable object) and Callable (functions,
// macros, bound methods). Printing follows Python: True, None, ['a', 1].

export class Undefined {
  constructor(readonly hint = 'value') {}
}
export const UNDEFINED = new Undefined();

export class Namespace {
  constructor(readonly attrs: Record<string, Value> = {}) {}
}

export type CallFn = (args: Value[], kwargs: Record<string, Value>) => Value;
export class Callable {
  constructor(
    readonly name: string,
    readonly fn: CallFn,
  ) {}
}

export type Value =
  | string
  | number
  | boolean
  | null
  | Undefined
  | Namespace
  | Callable
  | Value[]
  | { [key: string]: Value };

export type Dict = { [key: string]: Value };

/** `v` unless it is absent (JS undefined); unlike `??`, keeps None (null). */
export function orElse<T>(v: Value | undefined, d: T): Value | T {
  return v === undefined ? d : v;
}

export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Python truthiness. */
export function truthy(v: Value): boolean {
  if (v instanceof Undefined || v === null) return false;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'boolean') return v;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python str(): what {{ v }} prints. */
export function str(v: Value): string {
  if (typeof v === 'string') return v;
  if (v instanceof Undefined) return '';
  return repr(v);
}

/** Python repr(). */
export function repr(v: Value): string {
  if (typeof v === 'string') return reprString(v);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (v instanceof Undefined) return '';
  if (v instanceof Callable) return `<function ${v.name}>`;
  if (v instanceof Namespace) return `<Namespace ${repr(v.attrs)}>`;
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${reprString(k)}: ${repr(x)}`).join(', ')}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const c of s) {
    if (c === q || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return out + q;
}

/** Python ==, structural for lists and dicts. */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
  if ((typeof a === 'boolean' && typeof b === 'number') || (typeof a === 'number' && typeof b === 'boolean')) {
    return Number(a) === Number(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equals(a[k], b[k]));
  }
  return false;
}

/** Python seq[start:stop:step] on a list or string; step must not be 0. */
export function pySlice<T extends Value[] | string>(seq: T, start: number | null, stop: number | null, step: number): T {
  const items: Value[] = typeof seq === 'string' ? [...seq] : seq;
  const n = items.length;
  const clamp = (v: number | null, def: number) => {
    if (v === null) return def;
    if (v < 0) return Math.max(v + n, step < 0 ? -1 : 0);
    return Math.min(v, step < 0 ? n - 1 : n);
  };
  const a = clamp(start, step > 0 ? 0 : n - 1);
  const b = clamp(stop, step > 0 ? n : -1);
  const out: Value[] = [];
  for (let i = a; step > 0 ? i < b : i > b; i += step) out.push(items[i]);
  return (typeof seq === 'string' ? out.join('') : out) as T;
}

/** Iterates a value as Python would: list items, string characters, dict keys; Undefined is empty. */
export function iterate(v: Value): Value[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  if (v instanceof Undefined) return [];
  return undefined;
}

/** json.dumps as Hugging Face's tojson does it (ensure_ascii=False, ', ' and ': ' separators). */
export function toJson(v: Value, indent?: number, depth = 0): string {
  if (v === null || v instanceof Undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Callable) return JSON.stringify(repr(v));
  const items: string[] = Array.isArray(v)
    ? v.map((x) => toJson(x, indent, depth + 1))
    : Object.entries(v instanceof Namespace ? v.attrs : v).map(([k, x]) => `${JSON.stringify(k)}: ${toJson(x, indent, depth + 1)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.join(', ') + close;
  const pad = '\n' + ' '.repeat(indent * (depth + 1));
  return open + pad + items.join(',' + pad) + '\n' + ' '.repeat(indent * depth) + close;
}

/** Converts caller-supplied JS data into template values (undefined -> Undefined, Map -> dict). */
export function fromJs(v: unknown): Value {
  if (v === undefined) return UNDEFINED;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Undefined || v instanceof Namespace || v instanceof Callable) return v;
  if (Array.isArray(v)) return v.map(fromJs);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), fromJs(x)]));
  if (typeof v === 'function') return new Callable(v.name || 'function', (args) => fromJs(v(...args)));
  if (typeof v === 'object') {
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = fromJs(x);
    return out;
  }
  return String(v);
}
