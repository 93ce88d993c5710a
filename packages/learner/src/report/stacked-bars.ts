// A stacked bar chart of shares drawn as inline SVG: each bar splits 100 % among
// its layers in proportion to their values (e.g. where a step's seconds went).
// Past MAX_BARS steps, neighbouring steps are pooled into one bar (their seconds
// summed before the shares are taken), so a long run stays legible.
import { axes, c, emptyChart, makeFrame, openSvg, type ChartSize } from './chart-frame.js';
import { escapeHtml } from './format.js';
import { valueDomain } from './ticks.js';

export interface Layer {
  name: string;
  color: string;
  /** One non-negative amount per step; non-finite counts as 0. */
  values: readonly number[];
}

export interface StackedBarSpec {
  title: string;
  steps: readonly number[];
  layers: readonly Layer[];
  size: ChartSize;
}

const MAX_BARS = 150;

const amount = (v: number) => (Number.isFinite(v) && v > 0 ? v : 0);

export function stackedBarChart(spec: StackedBarSpec): string {
  const { steps, layers } = spec;
  const title = escapeHtml(spec.title);
  const y = valueDomain([], { fixed: [0, 1] });
  if (steps.length === 0) return emptyChart(spec.size, title, y);
  const first = steps[0];
  const last = steps[steps.length - 1];
  const f = makeFrame(spec.size, first - 0.5, last + 0.5, y);
  const per = Math.ceil(steps.length / MAX_BARS);
  const bars: string[] = [];
  for (let b = 0; b < steps.length; b += per) {
    const idx = Array.from({ length: Math.min(per, steps.length - b) }, (_, k) => b + k);
    const sums = layers.map((l) => idx.reduce((acc, i) => acc + amount(l.values[i]), 0));
    const total = sums.reduce((a, v) => a + v, 0);
    if (!(total > 0)) continue;
    const s0 = steps[idx[0]];
    const s1 = steps[idx[idx.length - 1]];
    const x0 = f.sx(s0 - 0.5);
    const width = Math.max(0.5, (f.sx(s1 + 0.5) - x0) * 0.88);
    const label = s0 === s1 ? `step ${s0}` : `steps ${s0}–${s1}`;
    let acc = 0;
    layers.forEach((l, k) => {
      if (sums[k] <= 0) return;
      const share = sums[k] / total;
      const yTop = f.sy(acc + share);
      const h = f.sy(acc) - yTop;
      acc += share;
      bars.push(
        `<rect x="${c(x0)}" y="${c(yTop)}" width="${c(width)}" height="${c(h)}" fill="${l.color}">` +
          `<title>${escapeHtml(`${label}: ${l.name} ${(share * 100).toFixed(1)} % (${sums[k].toFixed(2)} s)`)}</title></rect>`,
      );
    });
  }
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  return `${openSvg(f, title)}${axes(f, first, last, pct)}${bars.join('')}</svg>`;
}
