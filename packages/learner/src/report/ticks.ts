// Axis scales of the report's charts: "nice" tick spacings (1, 2 or 5 × 10^k),
// the ticks inside an interval, and the value domain of a chart from its data.

/** A round spacing that splits `span` into about `target` intervals. */
export function niceStep(span: number, target: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** The multiples of `step` inside [lo, hi], rounded so that 0.1 + 0.2 prints as 0.3. */
export function ticksIn(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = first; i * step <= hi + step * 1e-9 && out.length < 100; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

export interface Domain {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/**
 * The y domain of a chart: the finite values' range, widened when it is a single
 * value, extended to include zero if asked, then rounded out to whole ticks. No
 * finite value at all gives [0, 1].
 */
export function valueDomain(values: Iterable<number>, options: { includeZero?: boolean; fixed?: [number, number] } = {}): Domain {
  if (options.fixed) {
    const [lo, hi] = options.fixed;
    const step = niceStep(hi - lo, 4);
    return { lo, hi, step, ticks: ticksIn(lo, hi, step) };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) {
    lo = 0;
    hi = 1;
  }
  if (options.includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.5;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, 4);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  return { lo, hi, step, ticks: ticksIn(lo, hi, step) };
}

/** Integer step ticks for the x axis over [first, last]. */
export function stepTicks(first: number, last: number, target = 6): { step: number; ticks: number[] } {
  const step = Math.max(1, niceStep(last - first, target));
  return { step, ticks: ticksIn(first, last, step) };
}
