// The frame every chart of the report shares: the SVG canvas (a viewBox, so it
// scales with the page), the step and value scales, grid lines, tick labels and
// the "no data" placeholder. Colours come from the page's CSS classes, so one
// drawing serves light and dark themes.
import { formatTick } from './format.js';
import { stepTicks, type Domain } from './ticks.js';

export type ChartSize = 'large' | 'small';

const SIZES: Record<ChartSize, { w: number; h: number }> = { large: { w: 640, h: 260 }, small: { w: 400, h: 190 } };
const MARGIN = { left: 54, right: 14, top: 10, bottom: 34 };

/** Coordinates with one decimal: enough for a 640-unit canvas, and short. */
export const c = (v: number) => (Math.round(v * 10) / 10).toString();

export interface Frame {
  w: number;
  h: number;
  left: number;
  top: number;
  /** Plot area width and height. */
  pw: number;
  ph: number;
  y: Domain;
  /** Step → x, value → y (clamped into the plot area). */
  sx: (step: number) => number;
  sy: (v: number) => number;
}

/** Scales for steps in [xLo, xHi] (a single step sits in the middle) and values in `y`. */
export function makeFrame(size: ChartSize, xLo: number, xHi: number, y: Domain): Frame {
  const { w, h } = SIZES[size];
  const left = MARGIN.left;
  const top = MARGIN.top;
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  const sx = xHi > xLo ? (s: number) => left + ((s - xLo) / (xHi - xLo)) * pw : () => left + pw / 2;
  const sy = (v: number) => {
    const t = (v - y.lo) / (y.hi - y.lo);
    return top + ph - Math.min(1, Math.max(0, t)) * ph;
  };
  return { w, h, left, top, pw, ph, y, sx, sy };
}

export function openSvg(f: Frame, title: string): string {
  // The title is escaped by the caller (it is page text as well).
  return `<svg class="chart" viewBox="0 0 ${f.w} ${f.h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${title}">`;
}

/**
 * Grid lines and tick labels for steps [first, last] on x and the frame's value
 * domain on y; `yFormat` overrides the tick label (e.g. percentages).
 */
export function axes(f: Frame, first: number, last: number, yFormat?: (v: number) => string): string {
  const out: string[] = ['<g class="axis">'];
  const bottom = f.top + f.ph;
  for (const v of f.y.ticks) {
    const y = c(f.sy(v));
    out.push(`<line class="grid" x1="${f.left}" x2="${f.left + f.pw}" y1="${y}" y2="${y}"/>`);
    out.push(`<text x="${f.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${yFormat ? yFormat(v) : formatTick(v, f.y.step)}</text>`);
  }
  if (Number.isFinite(first) && Number.isFinite(last)) {
    const xt = last > first ? stepTicks(first, last).ticks : [first];
    for (const s of xt) {
      const x = c(f.sx(s));
      out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}"/>`);
      out.push(`<text x="${x}" y="${bottom + 15}" text-anchor="middle">${s}</text>`);
    }
  }
  out.push(`<line class="frame" x1="${f.left}" x2="${f.left + f.pw}" y1="${bottom}" y2="${bottom}"/>`);
  out.push(`<line class="frame" x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${bottom}"/>`);
  out.push(`<text class="label" x="${f.left + f.pw / 2}" y="${f.h - 4}" text-anchor="middle">step</text>`);
  out.push('</g>');
  return out.join('');
}

/** A frame with no data: the empty axes and a centred note. */
export function emptyChart(size: ChartSize, title: string, y: Domain): string {
  const f = makeFrame(size, 0, 1, y);
  return (
    openSvg(f, title) +
    axes(f, NaN, NaN) +
    `<text class="empty" x="${f.left + f.pw / 2}" y="${f.top + f.ph / 2}" text-anchor="middle" dominant-baseline="middle">no data</text></svg>`
  );
}
