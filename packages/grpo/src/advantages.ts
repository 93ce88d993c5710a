// Group advantages in plain TypeScript: the reference the native op is checked
// against, and what the learner uses for reward statistics. Same definition as
// native/kernels/group_advantages.h: mean over present rewards of the group,
// Bessel-corrected std, NaN = missing (excluded, advantage 0), equal rewards → 0.

export type ScaleRewardsName = 'group' | 'batch' | 'none';

export interface AdvantageStats {
  /** [N] one per reward, 0 where missing or in a zero-std group. */
  advantages: number[];
  groupMean: number[];
  groupStd: number[];
  zeroStdGroups: number;
  /** zeroStdGroups / groups (TRL's frac_reward_zero_std). */
  fracRewardZeroStd: number;
  missing: number;
}

function moments(xs: number[]): { mean: number; std: number; count: number } {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { mean: NaN, std: 0, count: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0, count: v.length };
}

const ZERO_STD = 1e-8;

/** rewards: [N] laid out group by group (N divisible by groupSize). */
export function groupAdvantages(rewards: number[], groupSize: number, scale: ScaleRewardsName = 'group', eps = 1e-4): AdvantageStats {
  if (!Number.isInteger(groupSize) || groupSize < 1 || rewards.length % groupSize !== 0)
    throw new Error(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  const groups = rewards.length / groupSize;
  const g = Array.from({ length: groups }, (_, i) => moments(rewards.slice(i * groupSize, (i + 1) * groupSize)));
  const batch = moments(rewards);
  let missing = 0;
  const advantages = rewards.map((r, i) => {
    if (!Number.isFinite(r)) {
      missing++;
      return 0;
    }
    const m = g[Math.floor(i / groupSize)];
    if (m.std < ZERO_STD) return 0;
    const denom = scale === 'group' ? m.std + eps : scale === 'batch' ? batch.std + eps : 1;
    return (r - m.mean) / denom;
  });
  const zeroStdGroups = g.filter((m) => m.count > 0 && m.std < ZERO_STD).length;
  return {
    advantages,
    groupMean: g.map((m) => m.mean),
    groupStd: g.map((m) => m.std),
    zeroStdGroups,
    fracRewardZeroStd: groups ? zeroStdGroups / groups : 0,
    missing,
  };
}
