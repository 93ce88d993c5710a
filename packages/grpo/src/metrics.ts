// Per-step metrics as the GRPO anchors (TRL, verl) log them, aggregated from the
// reward service's scored groups and the engine's step statistics. Pure: no I/O.
import { groupAdvantages, type ScaleRewardsName } from './advantages.js';

export interface ScoredGroup {
  /** Blended reward per completion (NaN = missing). */
  rewards: number[];
  /** Per reward component (e.g. "structural", "hrm"), one value per completion. */
  components?: Record<string, number[]>;
  /** Completion tokens per completion. */
  completionLengths: number[];
}

export interface RewardMetrics {
  reward: number;
  rewardStd: number;
  /** Mean per component: "rewards/<name>/mean". */
  components: Record<string, { mean: number; std: number }>;
  advantageMean: number;
  advantageStd: number;
  advantageMin: number;
  advantageMax: number;
  fracRewardZeroStd: number;
  missingRewards: number;
  completionLengthMean: number;
  completionLengthMin: number;
  completionLengthMax: number;
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { mean: NaN, std: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std };
}

/** Reward, advantage and length statistics of one step's groups (all the same size). */
export function rewardMetrics(groups: ScoredGroup[], scale: ScaleRewardsName = 'group', eps = 1e-4): RewardMetrics {
  if (groups.length === 0) throw new Error('no groups');
  const G = groups[0].rewards.length;
  const rewards = groups.flatMap((g) => g.rewards);
  const adv = groupAdvantages(rewards, G, scale, eps);
  const r = meanStd(rewards);
  const a = meanStd(adv.advantages);
  const names = new Set(groups.flatMap((g) => Object.keys(g.components ?? {})));
  const components: RewardMetrics['components'] = {};
  for (const n of names) components[n] = meanStd(groups.flatMap((g) => g.components?.[n] ?? []));
  const lens = groups.flatMap((g) => g.completionLengths);
  return {
    reward: r.mean,
    rewardStd: r.std,
    components,
    advantageMean: a.mean,
    advantageStd: a.std,
    advantageMin: Math.min(...adv.advantages),
    advantageMax: Math.max(...adv.advantages),
    fracRewardZeroStd: adv.fracRewardZeroStd,
    missingRewards: adv.missing,
    completionLengthMean: meanStd(lens).mean,
    completionLengthMin: Math.min(...lens),
    completionLengthMax: Math.max(...lens),
  };
}

/** Throughput of a step: tokens/s over the positions processed and MFU against a measured peak. */
export function throughput(processedTokens: number, seconds: number, modelFlops: number, peakFlopsPerSecond: number) {
  return {
    tokensPerSecond: seconds > 0 ? processedTokens / seconds : 0,
    stepSeconds: seconds,
    mfu: seconds > 0 && peakFlopsPerSecond > 0 ? modelFlops / seconds / peakFlopsPerSecond : 0,
  };
}
