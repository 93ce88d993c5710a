// Supervised warm-up on the generator's reference trajectories, before RL: a few
// AdamW steps of next-token cross-entropy on the completion of posed tasks. The
// Datarus-R1 recipe trains on trajectories before GRPO too; here it is kept short
// (a couple of steps by default) so that the model starts RL knowing the tag format
// partly, and RL has something left to learn.
import { Mode } from '@datarus/contracts';
import type { RunConfig } from '@datarus/config';
import { poseTask, referenceCompletion } from '@datarus/datagen';
import type { Engine } from '@datarus/engine';
import { taskFor } from './task-feed.js';

export interface SftStepReport {
  step: number;
  loss: number;
  tokens: number;
  seconds: number;
}

/** One warm-up batch: `[B]` sequences of prompt + reference completion + EOS, loss on the completion only. */
export function sftBatch(engine: Engine, config: RunConfig, step: number): { sequences: number[][]; weights: number[][] } {
  const sequences: number[][] = [];
  const weights: number[][] = [];
  const warm = { ...config, tasks: { ...config.tasks, seed: config.sft.seed } };
  for (let i = 0; i < config.sft.batchSize; i++) {
    const task = taskFor(warm, step * config.sft.batchSize + i);
    const text = referenceCompletion(task, Mode.MODE_REFLECTION);
    if (!text) continue;
    const prompt = engine.chatPrompt(poseTask(task, Mode.MODE_REFLECTION));
    const completion = [...engine.tokenizer.encode(text), engine.info.eosTokenId];
    sequences.push([...prompt, ...completion]);
    weights.push([...new Array<number>(prompt.length - 1).fill(0), ...new Array<number>(completion.length).fill(1)]);
  }
  return { sequences, weights };
}

export async function runSftWarmup(engine: Engine, config: RunConfig, onStep?: (r: SftStepReport) => void): Promise<void> {
  // Backward passes of grpo.microBatchSize sequences, like the GRPO steps: one pass over
  // the whole batch held the activations of all of it (the default's 8 sequences of
  // 170-215 tokens: ~2.7 GB on SmolLM2-135M in fp32). The normaliser is the whole
  // batch's weight, so the accumulated gradient and the summed loss are the batch's.
  // grpo.gradientCheckpointing applies here too.
  const mb = config.grpo.microBatchSize;
  const gradientCheckpointing = config.grpo.gradientCheckpointing;
  for (let step = 0; step < config.sft.steps; step++) {
    const t0 = performance.now();
    const batch = sftBatch(engine, config, step);
    const normalizer = batch.weights.reduce((sum, w) => sum + w.reduce((a, b) => a + b, 0), 0);
    let loss = 0;
    let tokens = 0;
    for (let i = 0; i < batch.sequences.length; i += mb) {
      const part = { sequences: batch.sequences.slice(i, i + mb), weights: batch.weights.slice(i, i + mb) };
      const r = await engine.backward(part, normalizer, { gradientCheckpointing });
      loss += r.loss;
      tokens += r.tokens;
    }
    await engine.step({ lr: config.sft.lr, maxGradNorm: config.grpo.maxGradNorm, beta1: config.grpo.beta1, beta2: config.grpo.beta2 });
    onStep?.({ step: step + 1, loss, tokens, seconds: (performance.now() - t0) / 1000 });
  }
}
