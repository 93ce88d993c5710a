// Public surface of @datarus/grpo: the training config and pure GRPO algorithms.
export { GrpoConfig, KlEstimator, LossType, ScaleRewards, epsilonHighOf, parseGrpoConfig } from './config.js';
export { groupAdvantages } from './advantages.js';
export { forwardFlops, grpoStepFlops, matmulParameters, mfu } from './flops.js';
export { rewardMetrics, throughput } from './metrics.js';

export type { GrpoConfigInput } from './config.js';
export type { AdvantageStats, ScaleRewardsName } from './advantages.js';
export type { ModelShape } from './flops.js';
export type { RewardMetrics, ScoredGroup } from './metrics.js';
