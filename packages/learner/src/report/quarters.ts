// Did the run learn? The blended reward of the first quarter of steps against
// the last quarter. Each group's mean reward counts as one observation (rows
// that carry groupRewards), so the standard error is that of the mean of the
// group means: the noise between groups, prompts included, which the per-step
// rewardStderr over single completions understates. Rows without groupRewards
// count with their step mean instead; a quarter of one such step falls back on
// that step's own rewardStderr.
//
// Verdict rule: "exceeds by more than the noise" = the difference is more than
// NOISE_SIGMAS = 2 standard errors of the difference, sqrt(se_first² + se_last²)
// (the two quarters are disjoint, so independent). For roughly normal step means
// that is a one-sided test at about 2.3 %; it is a screening rule for a report,
// not a significance test corrected for looking at many runs.
import type { StepMetrics } from '../step-metrics.js';
import { formatNumber } from './format.js';

/** How many standard errors the difference must exceed. */
export const NOISE_SIGMAS = 2;

export interface QuarterStats {
  /** Mean of the observations: group means (or step means) (NaN with none). */
  mean: number;
  /** Standard error of that mean (NaN when it cannot be estimated). */
  stderr: number;
  /** Observations pooled. */
  n: number;
  /** What one observation is. */
  unit: 'group' | 'step';
}

export interface QuarterComparison {
  first: QuarterStats;
  last: QuarterStats;
  /** last.mean − first.mean. */
  diff: number;
  diffStderr: number;
  /** diff > NOISE_SIGMAS · diffStderr (false whenever the comparison is undefined). */
  improved: boolean;
  /** improved; worse (diff < −NOISE_SIGMAS · diffStderr); unclear (within the noise); too-few-steps (< 2 steps with a reward). */
  verdict: 'improved' | 'worse' | 'unclear' | 'too-few-steps';
}

type RewardRow = Pick<StepMetrics, 'step' | 'reward' | 'rewardStderr'> & { groupRewards?: number[] };

function stats(rows: readonly RewardRow[]): QuarterStats {
  const byGroup = rows.length > 0 && rows.every((r) => Array.isArray(r.groupRewards) && r.groupRewards.length > 0);
  const xs = byGroup ? rows.flatMap((r) => r.groupRewards!.filter(Number.isFinite)) : rows.map((r) => r.reward);
  const unit = byGroup ? 'group' : 'step';
  const n = xs.length;
  if (n === 0) return { mean: NaN, stderr: NaN, n, unit };
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  if (n === 1) return { mean, stderr: !byGroup && Number.isFinite(rows[0].rewardStderr) ? rows[0].rewardStderr : NaN, n, unit };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n), n, unit };
}

/**
 * Compares the first and last quarter (floor(n/4) steps each, at least one) of
 * the steps that have a finite reward, taken in step order.
 */
export function quarterComparison(rows: readonly RewardRow[]): QuarterComparison {
  const valid = rows.filter((r) => Number.isFinite(r.reward)).sort((a, b) => a.step - b.step);
  const k = Math.max(1, Math.floor(valid.length / 4));
  const first = stats(valid.slice(0, k));
  const last = stats(valid.slice(Math.max(0, valid.length - k)));
  const diff = last.mean - first.mean;
  const diffStderr = Math.sqrt(first.stderr ** 2 + last.stderr ** 2);
  let verdict: QuarterComparison['verdict'] = 'unclear';
  if (valid.length < 2) verdict = 'too-few-steps';
  else if (Number.isFinite(diff) && Number.isFinite(diffStderr)) {
    if (diff > NOISE_SIGMAS * diffStderr) verdict = 'improved';
    else if (diff < -NOISE_SIGMAS * diffStderr) verdict = 'worse';
  }
  return { first, last, diff, diffStderr, improved: verdict === 'improved', verdict };
}

const signed = (v: number) => (v > 0 ? `+${formatNumber(v)}` : formatNumber(v));

/** One console line, e.g. "reward first quarter 0.41 ± 0.02 (25 steps) → last quarter 0.62 ± 0.02 (25 steps): +0.21 ± 0.028, improved (> 2 σ)". */
export function formatQuarterComparison(q: QuarterComparison): string {
  if (q.verdict === 'too-few-steps') return `reward: too few steps to compare quarters (${q.last.n} with a reward)`;
  const part = (s: QuarterStats) => `${formatNumber(s.mean)} ± ${formatNumber(s.stderr)} (${s.n} ${s.unit}${s.n === 1 ? '' : 's'})`;
  const verdict =
    q.verdict === 'improved' ? `improved (> ${NOISE_SIGMAS} σ)` : q.verdict === 'worse' ? `worse (< −${NOISE_SIGMAS} σ)` : `no clear change (within ${NOISE_SIGMAS} σ)`;
  return `reward first quarter ${part(q.first)} → last quarter ${part(q.last)}: ${signed(q.diff)} ± ${formatNumber(q.diffStderr)}, ${verdict}`;
}
