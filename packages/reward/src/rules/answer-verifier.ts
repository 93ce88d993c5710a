// Checks a final answer against the task's ground truth. Numbers match within a
// relative tolerance (the task's, else 1e-2); "25%", "0.25" and "25" all match a
// ground truth of 25 with unit "%"; fractions ("3/4"), thousands separators
// ("1,234.5"), currency signs and simple mass units (mcg, mg, g, kg, lb) are
// understood; strings match after normalisation (case, spaces, punctuation).
import type { Answer } from '@datarus/contracts';

export const DEFAULT_REL_TOLERANCE = 1e-2;
const MAX_ANSWER = 400;

export interface ParsedAnswer {
  number: number | null;
  percent: boolean;
  unit: string;
}

/** Mass units in grams; a unit not listed here is not converted. */
const MASS: Record<string, number> = { mcg: 1e-6, µg: 1e-6, ug: 1e-6, mg: 1e-3, g: 1, kg: 1e3, lb: 453.59237, lbs: 453.59237 };

export function normalizeText(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .replace(/^[\s"'`.,;:!?]+|[\s"'`.,;:!?]+$/g, '')
    .trim();
}

export function parseAnswer(raw: string): ParsedAnswer {
  let s = raw.slice(0, MAX_ANSWER).normalize('NFKC').trim().replace(/^\\boxed\{(.*)\}$/, '$1');
  s = s.replace(/^(the answer is|answer:|approximately|about|≈|~)\s*/i, '').replace(/[.\s]+$/, '');
  s = s.replace(/\$|usd|eur|€|£/gi, '').trim();
  const m = s.match(/^([-+−]?\s?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)(?:\s*\/\s*([\d,]*\.?\d+))?\s*(%|percent)?\s*([a-zA-Zµ/²^0-9]*)$/);
  if (!m) return { number: null, percent: false, unit: '' };
  const num = (t: string) => Number(t.replace(/[\s,]/g, '').replace('−', '-'));
  let value = num(m[1]);
  if (m[2] !== undefined) value /= num(m[2]);
  if (!Number.isFinite(value)) return { number: null, percent: false, unit: '' };
  return { number: value, percent: m[3] !== undefined, unit: (m[4] ?? '').toLowerCase() };
}

function close(x: number, target: number, rel: number): boolean {
  return Math.abs(x - target) <= rel * Math.abs(target) || Math.abs(x - target) <= 1e-9;
}

export interface Verdict {
  correct: boolean;
  /** The candidate's number, when it has one. */
  value: number | null;
  reason: string;
}

export function verifyAnswer(candidate: string | null, truth: Answer | undefined): Verdict {
  if (!truth || (truth.number === undefined && truth.text === undefined)) return { correct: false, value: null, reason: 'task has no ground truth' };
  if (candidate === null || candidate.trim() === '') return { correct: false, value: null, reason: 'no answer' };
  if (truth.text !== undefined) {
    const ok = normalizeText(candidate.slice(0, MAX_ANSWER)) === normalizeText(truth.text);
    return { correct: ok, value: null, reason: ok ? 'text matches' : 'text differs' };
  }
  const target = truth.number!;
  const rel = truth.relTolerance > 0 ? truth.relTolerance : DEFAULT_REL_TOLERANCE;
  const p = parseAnswer(candidate);
  if (p.number === null) return { correct: false, value: null, reason: 'answer is not a number' };
  const candidates: number[] = [];
  const expectedUnit = truth.unit.toLowerCase();
  if (p.unit && MASS[p.unit] !== undefined && MASS[expectedUnit] !== undefined) {
    candidates.push((p.number * MASS[p.unit]) / MASS[expectedUnit]);
  } else if (p.unit && MASS[p.unit] !== undefined && expectedUnit !== '' && MASS[expectedUnit] === undefined) {
    return { correct: false, value: p.number, reason: `unit ${p.unit} does not match ${truth.unit}` };
  } else if (expectedUnit === '%') {
    candidates.push(p.number);
    if (!p.percent) candidates.push(p.number * 100);
  } else {
    candidates.push(p.percent ? p.number / 100 : p.number);
    if (p.percent) candidates.push(p.number);
  }
  const ok = candidates.some((x) => close(x, target, rel));
  return { correct: ok, value: p.number, reason: ok ? 'number matches' : `expected ${target}${truth.unit}, got ${candidate.slice(0, 40)}` };
}
