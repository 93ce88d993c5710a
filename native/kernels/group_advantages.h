// group_advantages.h — GRPO's group-relative advantages, the design's one custom op.
//
// For a batch of N = groups·G rewards laid out group by group,
//   A_i = (r_i − mean_g) / (std + eps)
// where mean_g is the mean of i's group and std is the group's (scale "group",
// Shao et al. 2024, DeepSeekMath), the whole batch's (scale "batch", the PPO-style
// normalisation TRL calls scale_rewards="batch"), or 1 with eps = 0 (scale "none",
// Dr. GRPO, Liu et al. 2025: no std division, which removes the difficulty bias).
// Standard deviations are Bessel-corrected (n − 1), as torch.std and TRL use.
//
// Departures from TRL: a missing reward (NaN) is left out of its group's statistics
// and gets advantage 0; a group with fewer than two rewards has std 0. A group
// whose present rewards are all equal gets advantages 0 (no gradient) and is counted
// in `zeroStdGroups` (TRL's frac_reward_zero_std numerator).
//
// The CPU path (plain loops in fp64) is the reference; with CUDA the same statistics
// come from group_advantages.cu and are checked against it.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace datarus {

enum class RewardScale { Group, Batch, None };

// "group" | "batch" | "none"; throws E_INVALID_ARGUMENT otherwise.
RewardScale parseRewardScale(const std::string& name);

struct GroupAdvantages {
  at::Tensor advantages;  // [N] f32, 0 where the reward is missing
  at::Tensor groupMean;   // [N / G] f32 over present rewards (NaN for an all-missing group)
  at::Tensor groupStd;    // [N / G] f32, Bessel-corrected (0 with fewer than 2 present)
  int64_t zeroStdGroups = 0;  // groups whose present rewards are all equal
  int64_t missing = 0;        // NaN rewards
};

// rewards: [N] f32 (NaN = missing), N divisible by groupSize; on any device.
GroupAdvantages groupAdvantages(const at::Tensor& rewards, int64_t groupSize, RewardScale scale, double eps = 1e-4);

// The CPU reference, used by the dispatcher for CPU tensors and by tests.
GroupAdvantages groupAdvantagesCpu(const at::Tensor& rewards, int64_t groupSize, RewardScale scale, double eps);

#ifdef DATARUS_WITH_CUDA
// group_advantages.cu: one thread per group for the statistics, one per reward for A.
GroupAdvantages groupAdvantagesCuda(const at::Tensor& rewards, int64_t groupSize, RewardScale scale, double eps);
#endif

}  // namespace datarus
