// The embedded default run: what `nx run learner:train` does with no config. Sized
// so that it finishes within about 15 minutes on a 2-core CPU with SmolLM2-135M,
// and still shows learning: a short supervised warm-up on reference trajectories
// teaches the tag format partly, then GRPO on easy arithmetic (no data files, so
// prompts stay short) pushes reward up without costing held-out accuracy. Each
// value here overrides the schema default of run-config.ts; a config file and
// command-line flags override these in turn.
import type { RunConfigInput } from './run-config.js';

export const LAPTOP_DEFAULTS: RunConfigInput = {
  steps: 10,
  // On 2 cores, sampling step s + 1 while training step s only makes the two fight
  // for the cores (OpenMP threads of both processes oversubscribe them): strictly
  // on-policy and sequential is faster here. Clusters keep the schema default, 1.
  maxOffPolicySteps: 0,
  // Easy arithmetic only, a fresh task for every group (pool 0). Measured on the
  // warm-up policy at temperature 0.7: 9% of samples right on these tasks, 0% on
  // growth rates, so growth tasks give GRPO no correctness signal and teach it to
  // copy the system prompt's growth example everywhere (held-out 42% → 0% in 10
  // steps); a fixed pool of 4 tasks gets memorised (training accuracy 19% → 69%,
  // held-out 67% → 33%). Fresh tasks keep held-out accuracy (67% → 67%).
  tasks: { kinds: ['arithmetic.expression'], difficulties: [1], mode: 'reflection', pool: 0 },
  // At temperature 1 the 135M model's samples lose the format (41% run out of
  // tokens, 2% right); at 0.7, 8% run out and 9% are right.
  sampling: { temperature: 0.7 },
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
