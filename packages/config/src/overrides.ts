// Command-line overrides of a run config: `--steps 50 --group-size 8 --grpo.lr 1e-5
// --tasks.kinds arithmetic.expression,finance.growth`. A flag is a dotted path of
// camelCase or kebab-case keys; a single key that is not a top-level field names
// the one nested field with that name (`--group-size` is grpo.groupSize). Values
// are parsed as JSON when they parse (numbers, booleans, arrays, objects), as a
// comma-separated list where the field is an array, else kept as strings; the
// schema then checks them.
import { z } from 'zod';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { setPath, type Plain } from './merge.js';

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

type Shape = Record<string, z.ZodType>;

/** The object shape behind defaults, optionals and refinements, or null for a leaf. */
function shapeOf(t: z.ZodType): Shape | null {
  let cur: z.ZodType = t;
  for (let i = 0; i < 8; i++) {
    if (cur instanceof z.ZodObject) return cur.shape as Shape;
    const inner = (cur as unknown as { def?: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    const next = inner?.innerType ?? inner?.in;
    if (!next) return null;
    cur = next;
  }
  return null;
}

function isArrayField(t: z.ZodType): boolean {
  let cur: z.ZodType = t;
  for (let i = 0; i < 8; i++) {
    if (cur instanceof z.ZodArray) return true;
    const next = (cur as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
    if (!next) return false;
    cur = next;
  }
  return false;
}

/** Every leaf path of the schema, e.g. ['grpo', 'groupSize']. */
function leafPaths(shape: Shape, prefix: string[] = []): { path: string[]; type: z.ZodType }[] {
  const out: { path: string[]; type: z.ZodType }[] = [];
  for (const [k, t] of Object.entries(shape)) {
    const inner = shapeOf(t);
    out.push({ path: [...prefix, k], type: t });
    if (inner) out.push(...leafPaths(inner, [...prefix, k]));
  }
  return out;
}

function resolvePath(schema: z.ZodObject, flag: string): { path: string[]; type: z.ZodType } {
  const keys = flag.split('.').map(camel);
  const all = leafPaths(schema.shape as Shape);
  const exact = all.find((p) => p.path.join('.') === keys.join('.'));
  if (exact) return exact;
  if (keys.length === 1) {
    const hits = all.filter((p) => p.path[p.path.length - 1] === keys[0]);
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) {
      throw new DatarusError(ErrorCode.InvalidArgument, `--${flag} is ambiguous: use one of ${hits.map((h) => `--${h.path.join('.')}`).join(', ')}`);
    }
  }
  // Unknown paths still go through, so that the schema names them as unrecognised keys.
  return { path: keys, type: z.unknown() };
}

function parseValue(raw: string, type: z.ZodType): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return isArrayField(type) ? raw.split(',').filter((s) => s.length > 0) : raw;
  }
}

/**
 * Parses `--key value` / `--key=value` pairs into a nested override object.
 * `--config FILE` is returned apart. A bare `--flag` is `true`.
 */
export function parseOverrides(schema: z.ZodObject, argv: string[]): { configFile?: string; overrides: Plain } {
  const overrides: Plain = {};
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new DatarusError(ErrorCode.InvalidArgument, `unexpected argument '${arg}' (flags look like --steps 50)`);
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let raw: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (raw === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('--')) raw = argv[++i];
    if (flag === 'config') {
      if (!raw) throw new DatarusError(ErrorCode.InvalidArgument, '--config needs a file');
      configFile = raw;
      continue;
    }
    const { path, type } = resolvePath(schema, flag);
    setPath(overrides, path, raw === undefined ? true : parseValue(raw, type));
  }
  return { configFile, overrides };
}
