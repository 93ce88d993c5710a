// The figures of an evaluation: accuracy (the mean over every sample, with its
// standard error over tasks), pass@k, tokens per solution (over all samples and
// over the correct ones), the structural reward, finish reasons, and the same
// accuracy and length per domain and per difficulty. Pure: records in, numbers out.
import { passAtK } from './pass-at-k.js';
import type { EvalRecord } from './eval-record.js';

export interface EvalSlice {
  tasks: number;
  samples: number;
  /** Fraction of samples whose final answer is correct. */
  accuracy: number;
  /** Mean model-written tokens per sample. */
  tokensPerSolution: number;
}

export interface EvalSummary extends EvalSlice {
  /** Samples per task (the smallest, when tasks differ). */
  samplesPerTask: number;
  /** Standard error of `accuracy` over tasks (0 for a single task). */
  accuracyStdErr: number;
  /** pass@k for k = 1, 2, 4, … up to samplesPerTask, averaged over tasks. */
  passAtK: Record<string, number>;
  /** Mean model-written tokens of the correct samples; null when none is correct. */
  tokensPerCorrectSolution: number | null;
  structural: number;
  finishReasons: Record<string, number>;
  byDomain: Record<string, EvalSlice>;
  byDifficulty: Record<string, EvalSlice>;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The records under each key, in first-seen order. */
function groupRecords(records: readonly EvalRecord[], key: (r: EvalRecord) => string): Map<string, EvalRecord[]> {
  const groups = new Map<string, EvalRecord[]>();
  for (const r of records) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

const byTask = (records: readonly EvalRecord[]) => groupRecords(records, (r) => r.taskId);

function slice(records: readonly EvalRecord[]): EvalSlice {
  return {
    tasks: byTask(records).size,
    samples: records.length,
    accuracy: mean(records.map((r) => (r.correct ? 1 : 0))),
    tokensPerSolution: mean(records.map((r) => r.policyTokens)),
  };
}

function groupBy(records: readonly EvalRecord[], key: (r: EvalRecord) => string): Record<string, EvalSlice> {
  const groups = groupRecords(records, key);
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, slice(groups.get(k)!)]));
}

export function summarize(records: readonly EvalRecord[]): EvalSummary {
  const tasks = [...byTask(records).values()];
  const perTask = tasks.map((rs) => mean(rs.map((r) => (r.correct ? 1 : 0))));
  const m = mean(perTask);
  const sd = perTask.length > 1 ? Math.sqrt(perTask.reduce((a, x) => a + (x - m) ** 2, 0) / (perTask.length - 1)) : 0;
  const samplesPerTask = tasks.length ? Math.min(...tasks.map((rs) => rs.length)) : 0;
  // k = 1, 2, 4, … and samplesPerTask itself
  const ks: number[] = [];
  for (let k = 1; k <= samplesPerTask; k *= 2) ks.push(k);
  if (samplesPerTask > 0 && ks[ks.length - 1] !== samplesPerTask) ks.push(samplesPerTask);
  const passAt = Object.fromEntries(ks.map((k) => [String(k), mean(tasks.map((rs) => passAtK(rs.length, rs.filter((r) => r.correct).length, k)))]));
  const correct = records.filter((r) => r.correct);
  const finishReasons: Record<string, number> = {};
  for (const r of records) finishReasons[r.finishReason] = (finishReasons[r.finishReason] ?? 0) + 1;
  return {
    ...slice(records),
    samplesPerTask,
    accuracyStdErr: perTask.length > 1 ? sd / Math.sqrt(perTask.length) : 0,
    passAtK: passAt,
    tokensPerCorrectSolution: correct.length ? mean(correct.map((r) => r.policyTokens)) : null,
    structural: mean(records.map((r) => r.structural)),
    finishReasons,
    byDomain: groupBy(records, (r) => r.domain.replace(/^DOMAIN_/, '').toLowerCase()),
    byDifficulty: groupBy(records, (r) => String(r.difficulty)),
  };
}

/** 0.4167 → "41.7%". */
export const formatPercent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A few human-readable lines of a summary. */
export function formatSummary(s: EvalSummary): string {
  const lines = [
    `accuracy ${formatPercent(s.accuracy)} ± ${formatPercent(s.accuracyStdErr)} over ${s.tasks} tasks × ${s.samplesPerTask} samples` +
      Object.entries(s.passAtK)
        .filter(([k]) => k !== '1')
        .map(([k, v]) => `, pass@${k} ${formatPercent(v)}`)
        .join(''),
    `tokens per solution ${s.tokensPerSolution.toFixed(1)}` +
      (s.tokensPerCorrectSolution === null ? '' : ` (correct ones ${s.tokensPerCorrectSolution.toFixed(1)})`) +
      `, structural reward ${s.structural.toFixed(3)}, finish ${Object.entries(s.finishReasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  ];
  const labelled = [
    ...Object.entries(s.byDomain).map(([k, v]) => [`domain ${k}`, v] as const),
    ...Object.entries(s.byDifficulty).map(([k, v]) => [`difficulty ${k}`, v] as const),
  ];
  const width = Math.max(0, ...labelled.map(([k]) => k.length));
  const rows = labelled.map(([k, v]) => `  ${k.padEnd(width)} ${formatPercent(v.accuracy).padStart(6)} of ${v.samples}, ${v.tokensPerSolution.toFixed(1)} tokens`);
  return [...lines, ...rows].join('\n');
}
