// Grounded claims (reflection step level). A reasoning step is sound when its
// arithmetic holds AND it computes from what the task gave: at least half the
// numbers of the claim's expression (not all: "1.00675^28" may use 4 · 7 = 28
// without writing it) are each
//   - a number of the problem, as written or in a percentage form (x / 100,
//     x · 100, the factors 1 ± x / 100, and 1 ± x for a rate below 1);
//   - a number an earlier line of the reasoning wrote (a result, or a stated fact
//     such as a column's sum), in the same forms;
//   - or a small constant (0–12, 24, 52, 60, 100, 360, 365, 1000).
// A claim built from numbers the task never gave — typically a worked example
// copied from the prompt — earns no step credit even though its arithmetic
// holds; without this a policy learns to copy the example. A number written with
// d decimals matches a known value that rounds to it (0.1235 matches 0.123456).
import type { Task } from '@datarus/contracts';

const CONSTANTS = [...Array.from({ length: 13 }, (_, i) => i), 24, 52, 60, 100, 360, 365, 1000];
const MAX_KNOWN = 5000;
const NUMBER = /\d[\d,]*(?:\.\d+)?|\.\d+/g;

/** The number literals of `text` ("1,200.5" → 1200.5; CSV's "1,6000" → 1 and 6000), at most MAX_KNOWN. */
export function numbersOf(text: string): number[] {
  const out: number[] = [];
  for (const m of text.slice(0, 200_000).matchAll(NUMBER)) {
    const parts = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(m[0]) ? [m[0].replace(/,/g, '')] : m[0].split(',');
    for (const p of parts) if (p !== '' && Number.isFinite(Number(p))) out.push(Number(p));
    if (out.length >= MAX_KNOWN) break;
  }
  return out;
}

const decimalsOf = (lit: string) => (lit.includes('.') ? lit.length - lit.indexOf('.') - 1 : 0);

export class KnownNumbers {
  // values by Math.floor(value): a lookup reads the one or two buckets its tolerance spans
  private readonly buckets = new Map<number, number[]>();
  private count = 0;

  constructor(problem: string) {
    for (const x of CONSTANTS) this.put(x);
    this.addAll(problem);
  }

  private put(v: number): void {
    const key = Math.floor(v);
    const b = this.buckets.get(key);
    if (b) b.push(v);
    else this.buckets.set(key, [v]);
    this.count++;
  }

  /** Adds x with its percentage forms: x / 100, x · 100, and the factors 1 ± x / 100 (1 ± x for a rate below 1). */
  add(x: number): void {
    if (this.count >= 7 * MAX_KNOWN || !Number.isFinite(x)) return;
    const a = Math.abs(x);
    for (const v of [a, a / 100, a * 100, 1 + a / 100, Math.abs(1 - a / 100)]) this.put(v);
    if (a < 1) for (const v of [1 + a, 1 - a]) this.put(v);
  }

  /** Adds every number written in `text`. */
  addAll(text: string): void {
    for (const x of numbersOf(text)) this.add(x);
  }

  /** Whether the literal `lit` (a number as written in a claim) is known. */
  has(lit: string): boolean {
    const x = Math.abs(Number(lit));
    const tol = Math.max(0.5 * 10 ** -decimalsOf(lit), 1e-9 * x) * (1 + 1e-9);
    const lo = Math.floor(x - tol);
    const hi = Math.floor(x + tol);
    if (hi - lo > 4) return [...this.buckets.values()].some((b) => b.some((k) => Math.abs(k - x) <= tol));
    for (let key = lo; key <= hi; key++) if (this.buckets.get(key)?.some((k) => Math.abs(k - x) <= tol)) return true;
    return false;
  }

  /** Whether at least half the numbers of the expression are known. */
  grounds(expression: string): boolean {
    const lits = (expression.match(NUMBER) ?? []).flatMap((lit) => lit.split(',')).filter((p) => p !== '');
    return 2 * lits.filter((p) => this.has(p)).length >= lits.length;
  }
}

/** The problem a task poses, as claims are grounded in it: its prompt and its data files. */
export function problemText(task: Pick<Task, 'prompt' | 'files'>): string {
  return [task.prompt, ...(task.files ?? []).map((f) => f.content)].join('\n');
}
