// A small argv parser: `--name value`, `--name=value` and boolean `--flag`s, then
// validation of the collected record with a zod schema, so a bad flag is an error
// that names it (E_INVALID_ARGUMENT) and every default lives in the schema.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { z } from 'zod';

export type RawArgs = Record<string, string | boolean>;

/** Splits argv into flags; `booleans` lists the flags that take no value. */
export function parseFlags(argv: string[], booleans: ReadonlySet<string>): RawArgs {
  const out: RawArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw usage(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    const key = toCamel(eq >= 0 ? a.slice(2, eq) : a.slice(2));
    if (eq >= 0) out[key] = a.slice(eq + 1);
    else if (booleans.has(key)) out[key] = true;
    else if (i + 1 < argv.length) out[key] = argv[++i];
    else throw usage(`--${a.slice(2)} needs a value`);
  }
  return out;
}

function toCamel(s: string): string {
  return s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function usage(message: string): DatarusError {
  return new DatarusError(ErrorCode.InvalidArgument, message);
}

/** Validates flags against `schema`, naming each bad flag in the error. */
export function validate<S extends z.ZodType>(schema: S, raw: RawArgs): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `--${i.path.join('.').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${i.message}`);
  throw usage(problems.join('; '));
}
