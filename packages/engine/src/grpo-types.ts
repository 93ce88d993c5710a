// Types of the GRPO learner operations of the engine (see native/core/grpo/*.h for
// the algorithms). Token-aligned arrays have one entry per predicted token: length
// len(sequence) − 1, entry t is about token t + 1.

import type { OptimizerOptions } from './options.js';

export interface GrpoBatch {
  /** Token ids, prompt + completion (+ observations), one array per sequence. */
  sequences: ArrayLike<number>[];
  /** Per sequence, len − 1 entries: 1 where token t + 1 is a completion token, 0 on prompt / observation tokens. */
  masks: ArrayLike<number>[];
  /** One advantage per sequence (see Engine.groupAdvantages). */
  advantages: ArrayLike<number>;
  /** Behaviour log-probs from generation (len − 1 each; prompt entries ignored). Absent: ratio 1. */
  oldLogprobs?: ArrayLike<number>[];
  /** Reference log-probs (len − 1 each). Absent with beta > 0: the engine's reference scores the batch. */
  refLogprobs?: ArrayLike<number>[];
}

/** GRPO loss knobs (see @datarus/grpo's config for each one's meaning and source) plus AdamW. */
export interface GrpoStepOptions extends OptimizerOptions {
  epsilon?: number;
  epsilonHigh?: number;
  beta?: number;
  klEstimator?: 'k1' | 'k2' | 'k3';
  lossType?: 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';
  entropyCoef?: number;
  microBatchSize?: number;
  /** dr_grpo's constant L; 0 = the longest completion in the batch. */
  maxCompletionLength?: number;
  logitTokens?: number;
  /** Activation checkpointing of the decoder: the same results with one [B, T, H] input per layer kept instead of every activation, for about a third more training FLOPs. */
  gradientCheckpointing?: boolean;
}

/** Means over the completion tokens of the global batch (all data-parallel ranks). */
export interface GrpoStepStats {
  loss: number;
  kl: number;
  entropy: number;
  ratioMean: number;
  clipRatioLow: number;
  clipRatioHigh: number;
  clipRatioRegion: number;
  tokens: number;
  sequences: number;
  /** Positions fed through the model on this rank (for tokens/s and MFU). */
  processedTokens: number;
  /** Their training FLOPs on this rank: 3 × the forward FLOPs (PaLM's accounting, see native/core/config.h). */
  modelFlops: number;
  completionLengthMean: number;
  completionLengthMin: number;
  completionLengthMax: number;
  gradNorm: number;
  lr: number;
  /** The loss or gradient was not finite: weights and optimiser state were left untouched. */
  skipped: boolean;
  nonFiniteLoss: boolean;
  step: number;
  seconds: number;
}

export interface ReferenceShard {
  firstLayer: number;
  endLayer: number;
  parameters: number;
  embedding: boolean;
  head: boolean;
  device: string;
}

export interface GroupAdvantagesResult {
  advantages: Float32Array;
  groupMean: Float32Array;
  groupStd: Float32Array;
  /** Groups whose present rewards are all equal (no gradient). */
  zeroStdGroups: number;
  /** NaN (missing) rewards, excluded from the statistics, advantage 0. */
  missing: number;
}

export interface DistributedOptions {
  /** host:port of rank 0's c10d TCPStore. */
  rendezvous: string;
  rank: number;
  worldSize: number;
  backend?: 'gloo' | 'nccl' | 'auto';
  timeoutSeconds?: number;
}
