// The embedded default run: what `nx run learner:train` does with no config. Sized
// so that it finishes within about 15 minutes on a 2-core CPU with SmolLM2-135M,
// and still shows learning: a short supervised warm-up on reference trajectories
// teaches the tag format partly, then GRPO on easy arithmetic and growth tasks
// (no data files, so prompts stay short) pushes reward up. Each value here
// overrides the schema default of run-config.ts; a config file and command-line
// flags override these in turn.
import type { RunConfigInput } from './run-config.js';

export const LAPTOP_DEFAULTS: RunConfigInput = {
  steps: 10,
  // On 2 cores, sampling step s + 1 while training step s only makes the two fight
  // for the cores (OpenMP threads of both processes oversubscribe them): strictly
  // on-policy and sequential is faster here. Clusters keep the schema default, 1.
  maxOffPolicySteps: 0,
  // A fixed set of 4 tasks, 2 per step: every task comes back every other step, so
  // the first and last quarters of the run are the same problems, not luckier ones.
  tasks: { kinds: ['arithmetic.expression', 'finance.growth'], difficulties: [1], mode: 'reflection', pool: 4 },
  grpo: {
    groupSize: 4,
    promptsPerStep: 2,
    // Completions of the easy tasks take 30-70 tokens after the warm-up; past 96 a
    // completion has lost its way (it then misses </answer> and scores 0).
    maxCompletionLength: 96,
    // A 135M model at 10 steps needs a far larger, constant step than a 14B one at thousands.
    lr: 3e-5,
    minLrRatio: 1,
    warmupSteps: 0,
    microBatchSize: 4,
    checkpointEvery: 5,
  },
  // Two steps on reference trajectories teach the tags partly (about half of the
  // first completions parse); RL does the rest.
  sft: { steps: 2, batchSize: 8, lr: 5e-5 },
  // Greedy answers to 12 held-out tasks of the same kinds, before GRPO and after
  // (about 25 s each here): accuracy and tokens per solution of both.
  eval: { tasks: 12 },
  // 10 steps are the format-learning phase of a longer curriculum: with T = 64 the
  // structural weight goes from 0.70 to 0.64 over the run, instead of all the way to
  // 0.1, which would move the target faster than 10 steps can follow.
  reward: { curriculum: { wStart: 0.7, wEnd: 0.1, totalSteps: 64 } },
};
