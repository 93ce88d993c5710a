// The training report: one self-contained HTML page (inline CSS and inline SVG,
// no script, no external file) that opens from file:// with no server. It shows
// the curves of metrics.jsonl, a summary table (built-in facts of the run, then
// the caller's entries), the samples of the last step when given, and the
// resolved config. Values that are missing or not finite leave gaps in the
// curves; 0 rows give empty frames marked "no data".
import type { CompletionRow } from '../completion-log.js';
import type { StepMetrics } from '../step-metrics.js';
import type { ChartSize } from './chart-frame.js';
import { escapeHtml, formatDuration, formatNumber } from './format.js';
import { lineChart, type Band, type Series } from './line-chart.js';
import { formatQuarterComparison, quarterComparison } from './quarters.js';
import { samplesSection } from './samples-table.js';
import { stackedBarChart, type Layer } from './stacked-bars.js';

export interface ReportInfo {
  /** Page title (plain text). */
  title: string;
  /** The resolved run config, shown as JSON. */
  config: unknown;
  /** Extra summary rows, after the built-in ones (an equal key replaces a built-in row). */
  summary?: Record<string, string | number>;
  /** Samples of the last logged step (completions.jsonl), shown below the curves. */
  samples?: readonly CompletionRow[];
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Rows read from a file written by an older version may lack a field: treat as missing. */
const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

interface Figure {
  title: string;
  size: ChartSize;
  svg: string;
  legend: { name: string; color: string; band?: boolean }[];
  note?: string;
}

function lineFigure(
  title: string,
  size: ChartSize,
  steps: number[],
  series: Series[],
  options: { bands?: Band[]; domain?: [number, number]; includeZero?: boolean; note?: string } = {},
): Figure {
  const bands = options.bands ?? [];
  return {
    title,
    size,
    note: options.note,
    svg: lineChart({ title, steps, series, bands, size, domain: options.domain, includeZero: options.includeZero }),
    legend: [...series.map((s) => ({ name: s.name, color: s.color })), ...bands.map((b) => ({ name: b.name, color: b.color, band: true }))],
  };
}

function figures(rows: readonly StepMetrics[]): Figure[] {
  const steps = rows.map((r) => r.step);
  const col = (f: (r: StepMetrics) => unknown) => rows.map((r) => num(f(r)));
  const reward = col((r) => r.reward);
  const std = col((r) => r.rewardStd);
  const componentNames = [...new Set(rows.flatMap((r) => Object.keys(r.components ?? {})))];
  const components: Series[] = componentNames.map((name, i) => ({
    name,
    color: PALETTE[(i + 1) % PALETTE.length],
    values: col((r) => r.components?.[name]),
    width: 1.2,
  }));
  const seconds = (k: keyof StepMetrics['seconds']) => col((r) => r.seconds?.[k]);
  const timeLayers: Layer[] = (['generation', 'reward', 'reference', 'training', 'waiting'] as const).map((k, i) => ({
    name: k,
    color: PALETTE[i],
    values: seconds(k),
  }));
  return [
    lineFigure('Reward', 'large', steps, [{ name: 'mean', color: PALETTE[0], values: reward, width: 2.5 }, ...components], {
      bands: [{ name: 'mean ± std', color: PALETTE[0], lo: reward.map((m, i) => m - std[i]), hi: reward.map((m, i) => m + std[i]) }],
      note: 'Blended reward over the step’s completions; thin lines are the reward components.',
    }),
    lineFigure('Accuracy', 'large', steps, [{ name: 'accuracy', color: PALETTE[4], values: col((r) => r.accuracy) }], {
      domain: [0, 1],
      note: 'Fraction of completions whose final answer is correct.',
    }),
    lineFigure('Completion length (tokens)', 'large', steps, [{ name: 'mean', color: PALETTE[6], values: col((r) => r.completionLengthMean) }], {
      bands: [{ name: 'min – max', color: PALETTE[6], lo: col((r) => r.completionLengthMin), hi: col((r) => r.completionLengthMax) }],
      includeZero: true,
    }),
    lineFigure('KL to the reference', 'large', steps, [{ name: 'kl', color: PALETTE[2], values: col((r) => r.kl) }], { includeZero: true }),
    lineFigure('Learning rate', 'small', steps, [{ name: 'lr', color: PALETTE[0], values: col((r) => r.lr) }], { includeZero: true }),
    lineFigure('Gradient norm', 'small', steps, [{ name: 'grad norm (before clipping)', color: PALETTE[1], values: col((r) => r.gradNorm) }], {
      includeZero: true,
    }),
    lineFigure(
      'Clip ratios',
      'small',
      steps,
      [
        { name: 'low', color: PALETTE[3], values: col((r) => r.clipRatioLow) },
        { name: 'high', color: PALETTE[2], values: col((r) => r.clipRatioHigh) },
      ],
      { includeZero: true },
    ),
    lineFigure(
      'Curriculum weights',
      'small',
      steps,
      [
        { name: 'w_struct', color: PALETTE[1], values: col((r) => r.wStruct) },
        { name: 'w_sem', color: PALETTE[0], values: col((r) => r.wSem) },
      ],
      { domain: [0, 1] },
    ),
    lineFigure('Loss', 'small', steps, [{ name: 'loss', color: PALETTE[8], values: col((r) => r.loss) }]),
    lineFigure('Entropy', 'small', steps, [{ name: 'entropy', color: PALETTE[5], values: col((r) => r.entropy) }], { includeZero: true }),
    lineFigure(
      'Resident memory (GiB)',
      'small',
      steps,
      [
        { name: 'learner, peak of the step', color: PALETTE[0], values: col((r) => r.memory?.learnerPeakGiB) },
        { name: 'learner, end of the step', color: PALETTE[3], values: col((r) => r.memory?.learnerGiB), width: 1.2 },
        { name: 'rollout worker, peak', color: PALETTE[1], values: col((r) => r.memory?.rolloutPeakGiB) },
      ],
      { includeZero: true, note: 'Resident set sizes of the processes (Linux); a worker’s peak is since it started.' },
    ),
    {
      title: 'Time per step',
      size: 'small',
      svg: stackedBarChart({ title: 'Time per step', steps, layers: timeLayers, size: 'small' }),
      legend: timeLayers.map((l) => ({ name: l.name, color: l.color })),
      note: 'Shares of the summed component seconds; generation and scoring overlap training when the run is pipelined.',
    },
  ];
}

function renderFigure(f: Figure): string {
  const legend = f.legend
    .map((l) => `<li><span class="swatch${l.band ? ' band' : ''}" style="background:${l.color}"></span>${escapeHtml(l.name)}</li>`)
    .join('');
  const note = f.note ? `<p class="note">${escapeHtml(f.note)}</p>` : '';
  return `<figure class="${f.size}"><figcaption>${escapeHtml(f.title)}</figcaption><ul class="legend">${legend}</ul>${f.svg}${note}</figure>`;
}

const median = (xs: number[]) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);

const maxOf = (xs: number[]) => {
  const finite = xs.filter(Number.isFinite);
  return finite.length ? Math.max(...finite) : NaN;
};

/** The highest learner and rollout-worker memory peaks of the rows, GiB (NaN where no row has one). */
export function memoryPeaks(rows: readonly StepMetrics[]): { learnerPeakGiB: number; rolloutPeakGiB: number } {
  return {
    learnerPeakGiB: maxOf(rows.map((r) => num(r.memory?.learnerPeakGiB))),
    rolloutPeakGiB: maxOf(rows.map((r) => num(r.memory?.rolloutPeakGiB))),
  };
}

/** `learner / rollout worker` peaks over the rows, GiB; a dash where unknown. */
export function formatPeakMemory(rows: readonly StepMetrics[]): string {
  const gib = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
  const { learnerPeakGiB, rolloutPeakGiB } = memoryPeaks(rows);
  return `${gib(learnerPeakGiB)} / ${gib(rolloutPeakGiB)}`;
}

/** The facts every report shows, computed from the rows. */
function builtinSummary(rows: readonly StepMetrics[]): Record<string, string | number> {
  if (rows.length === 0) return { Steps: 0 };
  const first = rows[0];
  const last = rows[rows.length - 1];
  const q = quarterComparison(rows);
  const acc = quarterComparison(rows.map((r) => ({ step: r.step, reward: num(r.accuracy), rewardStderr: NaN })));
  const quarter = (s: { mean: number; stderr: number; n: number; unit: string }) => `${formatNumber(s.mean)} ± ${formatNumber(s.stderr)} (${s.n} ${s.unit}s)`;
  return {
    Steps: rows.length === 1 ? `1 (step ${first.step})` : `${rows.length} (steps ${first.step}–${last.step})`,
    'Wall time': formatDuration(num(last.elapsed)),
    'Reward, first quarter': quarter(q.first),
    'Reward, last quarter': quarter(q.last),
    'Reward, verdict': formatQuarterComparison(q),
    'Accuracy, first → last quarter': `${formatNumber(acc.first.mean)} → ${formatNumber(acc.last.mean)}`,
    'Reward, last step': `${formatNumber(num(last.reward))} ± ${formatNumber(num(last.rewardStderr))}`,
    'Skipped steps (non-finite loss or gradient)': rows.filter((r) => r.skipped).length,
    'Missing rewards': sum(rows.map((r) => num(r.missingRewards))),
    'Stale / duplicate groups': `${sum(rows.map((r) => num(r.staleGroups)))} / ${sum(rows.map((r) => num(r.duplicateGroups)))}`,
    'Training tokens per second (median)': formatNumber(median(rows.map((r) => num(r.tokensPerSecond)))),
    'MFU (median)': formatNumber(median(rows.map((r) => num(r.mfu)))),
    'Peak resident memory, learner / rollout worker (GiB)': formatPeakMemory(rows),
  };
}

/** Pretty JSON of any value; bigints as strings, and a note instead of a throw for cycles. */
function configJson(config: unknown): string {
  if (config === undefined) return '(no config given)';
  try {
    return JSON.stringify(config, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) ?? String(config);
  } catch (e) {
    return `(the config could not be written as JSON: ${(e as Error).message})`;
  }
}

const CSS = `
:root{--bg:#fff;--fg:#1d2430;--muted:#5b6675;--grid:#e3e7ec;--panel:#f7f8fa;--hover:rgba(0,0,0,.06)}
@media (prefers-color-scheme:dark){:root{--bg:#15181d;--fg:#e4e7eb;--muted:#9aa4b1;--grid:#2b3139;--panel:#1c2026;--hover:rgba(255,255,255,.08)}}
body{margin:0 auto;max-width:1400px;padding:24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 10px}
.meta,.note{color:var(--muted)}.note{font-size:12px;margin:4px 0 0}
.grid-large,.grid-small{display:grid;gap:16px}
.grid-large{grid-template-columns:repeat(auto-fill,minmax(520px,1fr))}
.grid-small{grid-template-columns:repeat(auto-fill,minmax(340px,1fr))}
figure{margin:0;padding:12px;background:var(--panel);border-radius:6px}
figcaption{font-weight:600}
.legend{list-style:none;margin:4px 0 6px;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--muted)}
.swatch{display:inline-block;width:16px;height:3px;margin-right:5px;vertical-align:middle}
.swatch.band{height:10px;opacity:.3}
svg.chart{display:block;width:100%;height:auto}
svg.chart text{font:11px system-ui,sans-serif;fill:var(--muted)}
svg.chart .grid{stroke:var(--grid)}svg.chart .frame,svg.chart .tick{stroke:var(--muted)}
svg.chart .empty{font-size:14px}
svg.chart .hover rect{fill:transparent}svg.chart .hover rect:hover{fill:var(--hover)}
table{border-collapse:collapse}th,td{text-align:left;padding:4px 14px 4px 0;border-bottom:1px solid var(--grid);vertical-align:top}
th{font-weight:500;color:var(--muted)}
pre{background:var(--panel);padding:12px;border-radius:6px;overflow:auto;font-size:12px}
table.samples pre{margin:0 0 4px;padding:8px;white-space:pre-wrap;max-width:900px}
summary{cursor:pointer}
`;

/** The report page of a run as one HTML string. */
export function renderReport(rows: StepMetrics[], info: ReportInfo): string {
  const all = figures(rows);
  const summary = { ...builtinSummary(rows), ...(info.summary ?? {}) };
  const table = Object.entries(summary)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'number' ? formatNumber(v) : String(v))}</td></tr>`)
    .join('\n');
  const last = rows[rows.length - 1];
  const when = last && Number.isFinite(last.time) ? ` · last step ${new Date(last.time).toISOString().replace('T', ' ').slice(0, 19)} UTC` : '';
  const title = escapeHtml(info.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${title}</h1>
<p class="meta">${rows.length} optimisation step${rows.length === 1 ? '' : 's'}${when}</p>
<h2>Summary</h2>
<table>
${table}
</table>
<h2>Training curves</h2>
<div class="grid-large">
${all.filter((f) => f.size === 'large').map(renderFigure).join('\n')}
</div>
<h2>Optimisation</h2>
<div class="grid-small">
${all.filter((f) => f.size === 'small').map(renderFigure).join('\n')}
</div>
${samplesSection(info.samples ?? [])}
<h2>Configuration</h2>
<details><summary>Resolved run config</summary>
<pre>${escapeHtml(configJson(info.config))}</pre>
</details>
</body>
</html>
`;
}
