// From scored groups to the engine's GRPO batch and the step's reward statistics.
// Pure: no I/O. Token alignment follows the engine (grpo-types.ts): a sequence of
// L = P + T_i tokens (prompt + completion) has L − 1 predicted positions; position
// t is about token t + 1, so completion token j sits at position P − 1 + j.
import type { ScoredGroup } from '@datarus/contracts';

export interface BatchInput {
  /** [N] token ids, prompt + completion, N = groups × G. */
  sequences: number[][];
  /** [N][L − 1]: 1 where the predicted token is a policy token of the completion. */
  masks: number[][];
  /** [N][L − 1]: behaviour log-probs (0 on prompt and observation positions). */
  oldLogprobs: number[][];
  /** [N] blended reward, NaN where missing (excluded from the group statistics). */
  rewards: number[];
  /** [N] 1 when the completion's final answer is correct, 0 when not, NaN when unknown. */
  correct: number[];
  /** Mean of each named reward component over the completions that have it. */
  components: Record<string, number>;
  /** Policy tokens per completion. */
  completionLengths: number[];
  groupSize: number;
}

/** The components whose value says whether the final answer is right, in order of preference. */
export const CORRECTNESS_COMPONENTS = ['hrm.correct', 'verifier'];

export function buildBatch(groups: readonly ScoredGroup[]): BatchInput {
  if (groups.length === 0) throw new Error('buildBatch: no groups');
  const groupSize = groups[0].group!.samples.length;
  const out: BatchInput = { sequences: [], masks: [], oldLogprobs: [], rewards: [], correct: [], components: {}, completionLengths: [], groupSize };
  const sums = new Map<string, { sum: number; n: number }>();
  for (const sg of groups) {
    const g = sg.group!;
    if (g.samples.length !== groupSize) throw new Error(`group ${g.groupId} has ${g.samples.length} samples, expected ${groupSize}`);
    const prompt = g.promptTokenIds;
    g.samples.forEach((s, i) => {
      const pad = new Array<number>(Math.max(0, prompt.length - 1)).fill(0);
      out.sequences.push([...prompt, ...s.completionTokenIds]);
      out.masks.push([...pad, ...s.lossMask.map((m) => (m ? 1 : 0))]);
      out.oldLogprobs.push([...pad, ...s.lossMask.map((m, j) => (m ? s.behaviourLogprobs[j] : 0))]);
      out.completionLengths.push(s.lossMask.filter(Boolean).length);
      const score = sg.scores[i];
      out.rewards.push(score?.hasReward ? score.reward : NaN);
      const byName = new Map((score?.components ?? []).map((c) => [c.name, c.value]));
      const key = CORRECTNESS_COMPONENTS.find((k) => byName.has(k));
      out.correct.push(key ? (byName.get(key)! >= 0.5 ? 1 : 0) : NaN);
      for (const [name, value] of byName) {
        if (name === 'w_struct' || name === 'w_sem' || !Number.isFinite(value)) continue;
        const acc = sums.get(name) ?? { sum: 0, n: 0 };
        acc.sum += value;
        acc.n++;
        sums.set(name, acc);
      }
    });
  }
  for (const [name, { sum, n }] of sums) out.components[name] = sum / n;
  return out;
}

/** Mean, sample std and standard error of the finite values. */
export function meanStderr(xs: readonly number[]): { mean: number; std: number; stderr: number; n: number } {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, stderr: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, stderr: std / Math.sqrt(n), n };
}
