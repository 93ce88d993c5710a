// Number formatting for prompts, reasoning lines and simulated Python output.
import { round } from './rng.js';

/** Rounded to `dp` decimals, trailing zeros dropped: fmt(0.2500, 4) = "0.25". */
export function fmt(x: number, dp = 4): string {
  const r = round(x, dp);
  const s = r.toFixed(dp);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** The value fmt() shows, as a number (claims are computed from shown values). */
export function shown(x: number, dp = 4): number {
  return Number(fmt(x, dp));
}

/** What Python's print(round(x, dp)) writes: "3.0" for integral floats. */
export function py(x: number, dp = 4): string {
  const s = fmt(x, dp);
  return s.includes('.') ? s : `${s}.0`;
}

/** An answer as a model should write it: "25%", "350 mg", "1234.56". */
export function answerText(x: number, unit: string, dp = 4): string {
  const v = fmt(x, dp);
  if (!unit) return v;
  if (unit === '%') return `${v}%`;
  if (unit === '$') return `$${v}`;
  return `${v} ${unit}`;
}
