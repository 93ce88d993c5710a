// Line charts of per-step metrics drawn as inline SVG: lines (a non-finite value
// breaks the line, so a gap shows where a metric was missing), shaded bands
// (mean ± std, min–max), a dot for an isolated point, and one invisible column
// per step whose <title> is the browser's own tooltip (no script needed).
import { axes, c, emptyChart, makeFrame, openSvg, type ChartSize, type Frame } from './chart-frame.js';
import { escapeHtml, formatNumber } from './format.js';
import { valueDomain } from './ticks.js';

export interface Series {
  name: string;
  color: string;
  /** One value per step (same order as the chart's steps); NaN = no value. */
  values: readonly number[];
  /** Stroke width in viewBox units (default 2). */
  width?: number;
  dash?: string;
}

export interface Band {
  name: string;
  color: string;
  lo: readonly number[];
  hi: readonly number[];
}

export interface LineChartSpec {
  /** Page text of the chart, unescaped. */
  title: string;
  steps: readonly number[];
  series: readonly Series[];
  bands?: readonly Band[];
  size: ChartSize;
  /** Fixed value range (e.g. [0, 1] for a fraction); otherwise fitted to the data. */
  domain?: [number, number];
  includeZero?: boolean;
}

/** Beyond this many steps the per-step tooltip columns are left out (page size). */
const MAX_HOVER_STEPS = 600;

/** Runs of consecutive indices where `ok(i)` holds. */
function runs(n: number, ok: (i: number) => boolean): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ok(i)) cur.push(i);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

function drawBand(f: Frame, steps: readonly number[], b: Band): string {
  const parts: string[] = [];
  for (const r of runs(steps.length, (i) => Number.isFinite(b.lo[i]) && Number.isFinite(b.hi[i]))) {
    if (r.length === 1) {
      const x = c(f.sx(steps[r[0]]));
      parts.push(`<line x1="${x}" x2="${x}" y1="${c(f.sy(b.lo[r[0]]))}" y2="${c(f.sy(b.hi[r[0]]))}" stroke="${b.color}" stroke-width="6" opacity="0.25"/>`);
      continue;
    }
    const upper = r.map((i) => `${c(f.sx(steps[i]))},${c(f.sy(b.hi[i]))}`);
    const lower = r.map((i) => `${c(f.sx(steps[i]))},${c(f.sy(b.lo[i]))}`).reverse();
    parts.push(`<polygon points="${upper.concat(lower).join(' ')}" fill="${b.color}" opacity="0.18"/>`);
  }
  return parts.join('');
}

function drawSeries(f: Frame, steps: readonly number[], s: Series): string {
  const width = s.width ?? 2;
  let d = '';
  const dots: string[] = [];
  for (const r of runs(steps.length, (i) => Number.isFinite(s.values[i]))) {
    if (r.length === 1) {
      dots.push(`<circle cx="${c(f.sx(steps[r[0]]))}" cy="${c(f.sy(s.values[r[0]]))}" r="${Math.max(2, width * 1.2)}" fill="${s.color}"/>`);
      continue;
    }
    d += r.map((i, k) => `${k === 0 ? 'M' : 'L'}${c(f.sx(steps[i]))} ${c(f.sy(s.values[i]))}`).join('');
  }
  const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
  const path = d ? `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${width}" stroke-linejoin="round"${dash}/>` : '';
  return path + dots.join('');
}

/** Invisible per-step columns carrying every value of the step as a tooltip. */
function hoverColumns(f: Frame, spec: LineChartSpec): string {
  const { steps } = spec;
  if (steps.length > MAX_HOVER_STEPS) return '';
  const xs = steps.map((s) => f.sx(s));
  const out: string[] = ['<g class="hover">'];
  for (let i = 0; i < steps.length; i++) {
    const x0 = i === 0 ? f.left : (xs[i - 1] + xs[i]) / 2;
    const x1 = i === steps.length - 1 ? f.left + f.pw : (xs[i] + xs[i + 1]) / 2;
    const lines = [`step ${steps[i]}`];
    for (const s of spec.series) lines.push(`${s.name}: ${formatNumber(s.values[i])}`);
    for (const b of spec.bands ?? []) lines.push(`${b.name}: ${formatNumber(b.lo[i])} – ${formatNumber(b.hi[i])}`);
    out.push(`<rect x="${c(x0)}" y="${f.top}" width="${c(Math.max(0.5, x1 - x0))}" height="${f.ph}"><title>${escapeHtml(lines.join('\n'))}</title></rect>`);
  }
  out.push('</g>');
  return out.join('');
}

/** One chart as an <svg> element. */
export function lineChart(spec: LineChartSpec): string {
  const { steps } = spec;
  const title = escapeHtml(spec.title);
  const values = function* () {
    for (const s of spec.series) yield* s.values;
    for (const b of spec.bands ?? []) {
      yield* b.lo;
      yield* b.hi;
    }
  };
  const y = valueDomain(values(), { includeZero: spec.includeZero, fixed: spec.domain });
  if (steps.length === 0) return emptyChart(spec.size, title, y);
  const first = steps[0];
  const last = steps[steps.length - 1];
  const f = makeFrame(spec.size, first, last, y);
  const body = [
    axes(f, first, last),
    ...(spec.bands ?? []).map((b) => drawBand(f, steps, b)),
    // Thin lines first, so the main (thick) line is drawn on top.
    ...[...spec.series].sort((a, b) => (a.width ?? 2) - (b.width ?? 2)).map((s) => drawSeries(f, steps, s)),
    hoverColumns(f, spec),
  ];
  return `${openSvg(f, title)}${body.join('')}</svg>`;
}
