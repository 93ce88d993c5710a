// One line of metrics.jsonl: everything the learner knows about one optimisation
// step, flat and named the way the GRPO anchors (TRL, verl) log it, so that the
// report, a notebook or any dashboard can read it without this code.
export interface StepMetrics {
  /** Optimiser step, 1-based (the policy version it produced). */
  step: number;
  /** Wall clock at the end of the step (Unix epoch, ms). */
  time: number;
  /** Seconds since the run's first RL step started. */
  elapsed: number;
  /** Blended reward over the step's completions (missing excluded): mean, std, and its standard error. */
  reward: number;
  rewardStd: number;
  rewardStderr: number;
  /** Mean reward of each group of the step (missing rewards excluded; NaN when all are missing). */
  groupRewards: number[];
  /** Mean of each reward component, e.g. "structural", "hrm", "hrm/correct". */
  components: Record<string, number>;
  /** Fraction of completions whose final answer is correct. */
  accuracy: number;
  /** Curriculum weights in force (TRAJECTORY.md). */
  wStruct: number;
  wSem: number;
  advantageMean: number;
  advantageStd: number;
  /** Groups whose rewards were all equal (no gradient). */
  fracRewardZeroStd: number;
  missingRewards: number;
  completionLengthMean: number;
  completionLengthMin: number;
  completionLengthMax: number;
  loss: number;
  kl: number;
  entropy: number;
  clipRatioLow: number;
  clipRatioHigh: number;
  gradNorm: number;
  lr: number;
  /** The step's loss or gradient was not finite; the weights were left untouched. */
  skipped: boolean;
  /**
   * Training tokens per second, and model FLOPs utilisation: the step's model FLOPs
   * (PaLM's accounting) per training second over the GEMM rate measured on the device
   * when the learner started. On a machine shared with other processes that peak can
   * be under-measured, and MFU overstated.
   */
  tokensPerSecond: number;
  mfu: number;
  /** Policy version that sampled the step's groups, oldest and newest. */
  policyVersionMin: number;
  policyVersionMax: number;
  /** Ids of the groups trained on this step (each id is trained at most once per run). */
  groupIds: string[];
  /** Groups dropped as too stale, and deliveries ignored as duplicates, this step. */
  staleGroups: number;
  duplicateGroups: number;
  /**
   * Where the step's wall time went, seconds: rollout workers generating (and tools),
   * the reward service scoring, reference log-probs, policy training, and the learner
   * waiting for scored groups (generation and scoring overlap training when the run
   * is pipelined, so the first two are worker time, not learner time).
   */
  seconds: { step: number; generation: number; reward: number; reference: number; training: number; waiting: number; weights: number };
  /**
   * Resident memory in GiB (Linux; NaN elsewhere): the learner process's peak during
   * the step and its size at the step's end, and the highest peak that a rollout
   * worker of the step's groups reported (each worker's since it started).
   */
  memory: { learnerPeakGiB: number; learnerGiB: number; rolloutPeakGiB: number };
}
