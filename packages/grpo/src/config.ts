// The GRPO training config: one zod schema, every field with its default, unit or
// constraint and, for algorithm knobs, the paper it comes from. Departures from TRL's
// GRPOConfig: beta defaults to 0.04 (the GRPO paper; TRL now defaults to 0), lossType
// to "grpo" (the paper's per-sequence mean; TRL defaults to "dapo"), and missing
// rewards are excluded from the group statistics rather than counted as 0.
import { z } from 'zod';

export const KlEstimator = z
  .enum(['k1', 'k2', 'k3'])
  .describe('KL(π_θ‖π_ref) estimator (Schulman 2020): k1 = −δ, k2 = δ²/2, k3 = e^δ − δ − 1 with δ = log π_ref − log π_θ. k3 is unbiased and ≥ 0 (GRPO paper, TRL).');

export const LossType = z
  .enum(['grpo', 'bnpo', 'dr_grpo', 'dapo'])
  .describe(
    'Token aggregation. grpo: per-sequence mean then batch mean (Shao et al. 2024) — long completions weigh less per token (length bias). ' +
      'bnpo: token mean per micro-batch — no length bias, depends on micro-batch size. ' +
      'dr_grpo: token sum / (sequences × maxCompletionLength) (Liu et al. 2025) — constant normaliser, unbiased. ' +
      'dapo: token sum / tokens in the global batch (Yu et al. 2025) — every token weighs the same.',
  );

export const ScaleRewards = z
  .enum(['group', 'batch', 'none'])
  .describe('Advantage scaling: divide by the group std (GRPO), the batch std, or not at all (Dr. GRPO, which removes the difficulty bias).');

export const GrpoConfig = z
  .object({
    groupSize: z.number().int().min(2).default(8).describe('G: completions sampled per prompt (GRPO, Shao et al. 2024). ≥ 2 so a group has a spread.'),
    promptsPerStep: z.number().int().min(1).default(4).describe('Prompts per optimisation step; the batch is promptsPerStep × groupSize sequences.'),
    maxCompletionLength: z.number().int().min(1).default(1024).describe('Tokens generated per completion at most; also dr_grpo\'s constant L.'),
    epsilon: z.number().min(0).max(1).default(0.2).describe('Lower clip ε of the importance ratio (PPO, Schulman et al. 2017).'),
    epsilonHigh: z.number().min(0).max(10).optional().describe('Upper clip ε_high; defaults to epsilon. DAPO (Yu et al. 2025) uses 0.28 ("clip-higher") against entropy collapse.'),
    beta: z.number().min(0).default(0.04).describe('KL coefficient β (GRPO paper: 0.04). 0 disables the reference model entirely (no memory, no forward).'),
    klEstimator: KlEstimator.default('k3'),
    lossType: LossType.default('grpo'),
    scaleRewards: ScaleRewards.default('group'),
    advantageEps: z.number().min(0).default(1e-4).describe('Added to the std before dividing (TRL: 1e-4).'),
    numIterations: z.number().int().min(1).default(1).describe('μ: optimisation passes over each generated batch, ratios against the behaviour log-probs (GRPO Algorithm 1).'),
    entropyCoef: z.number().min(0).default(0).describe('Entropy bonus c_H subtracted per token (PPO); 0 = off, as in GRPO.'),
    lr: z.number().positive().default(1e-6).describe('Peak learning rate of AdamW (Loshchilov & Hutter 2019). Datarus-R1 / DeepSeekMath RL use ~1e-6.'),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.99).describe('AdamW β2; 0.99 as in DeepSeekMath RL and TRL GRPO recipes.'),
    weightDecay: z.number().min(0).default(0.1).describe('Decoupled weight decay λ on matrices (norms and biases exempt).'),
    maxGradNorm: z.number().min(0).default(1.0).describe('Global L2 gradient clip; 0 disables.'),
    warmupSteps: z.number().int().min(0).default(10).describe('Linear learning-rate warm-up, in optimiser steps.'),
    totalSteps: z.number().int().min(0).default(0).describe('Cosine decay to minLrRatio·lr at this step; 0 = constant after warm-up.'),
    minLrRatio: z.number().min(0).max(1).default(0.1),
    microBatchSize: z.number().int().min(1).default(4).describe('Sequences per backward pass; bounds activation memory. Results do not depend on it (bnpo excepted).'),
    logitTokens: z.number().int().min(1).default(1024).describe('Positions × batch per logits chunk; bounds the [B, chunk, V] logits alive at once.'),
    gradientCheckpointing: z
      .boolean()
      .default(false)
      .describe(
        'Activation checkpointing (GRPO steps and the SFT warm-up): keep each decoder layer’s input instead of its activations and recompute the layer in backward. Same gradients; activation memory per micro-batch falls to about 1/20 for a third more training compute (TRL’s gradient_checkpointing).',
      ),
    refShards: z.number().int().min(1).default(1).describe('Layer-range shards of the frozen reference model (memory-optimised GRPO).'),
    refDevice: z
      .union([z.literal('cpu'), z.literal('policy'), z.string().regex(/^cuda(:\d+)?$/)])
      .default('policy')
      .describe('Where reference shards live: the policy\'s device, "cpu" (offload), or "cuda"/"cuda:N"; shard i goes to the i-th device when several GPUs are listed by the learner.'),
    seed: z.number().int().min(0).default(0),
    checkpointEvery: z.number().int().min(0).default(50).describe('Optimiser steps between checkpoints; 0 = never.'),
    distributed: z
      .object({
        rendezvous: z.string().regex(/^[^:]+:\d+$/).describe('host:port of rank 0\'s c10d TCPStore.'),
        rank: z.number().int().min(0),
        worldSize: z.number().int().min(1),
        backend: z.enum(['gloo', 'nccl', 'auto']).default('auto').describe('Gloo on CPU, NCCL on GPU.'),
      })
      .refine((d) => d.rank < d.worldSize, { message: 'rank must be < worldSize', path: ['rank'] })
      .optional()
      .describe('Data-parallel learners (c10d all-reduce of gradients); absent = one process.'),
  })
  .strict();

export type GrpoConfig = z.infer<typeof GrpoConfig>;
export type GrpoConfigInput = z.input<typeof GrpoConfig>;

/** Validates a config; an invalid value throws an Error naming the path of the bad field. */
export function parseGrpoConfig(input: unknown): GrpoConfig {
  const r = GrpoConfig.safeParse(input ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new Error(`invalid GRPO config at ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return r.data;
}

/** The upper clip in effect. */
export const epsilonHighOf = (c: GrpoConfig): number => c.epsilonHigh ?? c.epsilon;
