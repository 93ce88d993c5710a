// Where the wall time of a training step goes, from the metrics rows: the shares
// of generation (rollout workers, tools included), reward scoring, reference
// log-probs, policy training, publishing weights and waiting, per step and over the
// run. With maxOffPolicySteps = 0 the learner waits while groups are generated and
// scored, so generation and reward are parts of its waiting; with pipelining they
// overlap training and their shares can add past 100% (worker time, not learner
// time). The table ends each row with the resident memory peaks of the step (the
// learner's, and the rollout workers' since they started), the other limit a
// bigger run meets. Pure: rows in, table out.
import { memoryPeaks } from './report/render-report.js';
import type { StepMetrics } from './step-metrics.js';

export interface StepShares {
  step: number;
  seconds: number;
  generation: number;
  reward: number;
  reference: number;
  training: number;
  weights: number;
  /** Learner time waiting for groups beyond the generation and reward it waited for. */
  waitingOther: number;
}

export function stepShares(m: StepMetrics): StepShares {
  const s = m.seconds;
  const wall = s.step > 0 ? s.step : 1;
  return {
    step: m.step,
    seconds: s.step,
    generation: s.generation / wall,
    reward: s.reward / wall,
    reference: s.reference / wall,
    training: s.training / wall,
    weights: s.weights / wall,
    waitingOther: Math.max(0, s.waiting - s.generation - s.reward) / wall,
  };
}

const COLUMNS: [keyof StepShares, string][] = [
  ['generation', 'generation'],
  ['reward', 'reward'],
  ['reference', 'reference'],
  ['training', 'training'],
  ['weights', 'weights'],
  ['waitingOther', 'waiting'],
];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(11);
const gib = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : '—').padStart(12);
const MEMORY_HEAD = `${'learner GiB'.padStart(12)}${'rollout GiB'.padStart(12)}`;
const memory = (m?: { learnerPeakGiB: number; rolloutPeakGiB: number }) => `${gib(m?.learnerPeakGiB)}${gib(m?.rolloutPeakGiB)}`;

/** A fixed-width table: one row per step, a total row, and the largest share named. */
export function sharesTable(rows: StepMetrics[]): string {
  const shares = rows.map(stepShares);
  const head = `${'step'.padStart(5)} ${'wall s'.padStart(8)}${COLUMNS.map(([, n]) => n.padStart(11)).join('')}${MEMORY_HEAD}`;
  const lines = shares.map(
    (s, i) => `${String(s.step).padStart(5)} ${s.seconds.toFixed(1).padStart(8)}${COLUMNS.map(([k]) => pct(s[k] as number)).join('')}${memory(rows[i].memory)}`,
  );
  const total = rows.reduce((a, r) => a + r.seconds.step, 0);
  const sum = (f: (r: StepMetrics) => number) => rows.reduce((a, r) => a + f(r), 0) / (total || 1);
  const overall: Record<string, number> = {
    generation: sum((r) => r.seconds.generation),
    reward: sum((r) => r.seconds.reward),
    reference: sum((r) => r.seconds.reference),
    training: sum((r) => r.seconds.training),
    weights: sum((r) => r.seconds.weights),
    waiting: sum((r) => Math.max(0, r.seconds.waiting - r.seconds.generation - r.seconds.reward)),
  };
  const totalLine =
    `${'all'.padStart(5)} ${total.toFixed(1).padStart(8)}${Object.values(overall).map(pct).join('')}` + memory(memoryPeaks(rows));
  const top = Object.entries(overall).sort((a, b) => b[1] - a[1])[0];
  return [head, ...lines, totalLine, `largest share: ${top?.[0] ?? '—'} (${(100 * (top?.[1] ?? 0)).toFixed(1)}% of the wall time)`].join('\n');
}
