// The GRPO learner through the engine on a tiny random model: advantages, a step with
// a sharded reference, non-finite skipping, checkpoint resume, argument validation.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { Engine, type GrpoBatch } from '../src/index.js';
import { runPython } from './python.js';

const SCRIPT = fileURLToPath(new URL('./reference_model.py', import.meta.url));
const dir = suiteTempDir('grpo');
const model = () => join(dir(), 'model');

function batch(vocab: number): GrpoBatch {
  const sequences = [0, 1, 2, 3].map((i) => Array.from({ length: 10 - i }, (_, t) => (7 * t + 3 * i + 1) % vocab));
  const masks = sequences.map((s) => Array.from({ length: s.length - 1 }, (_, t) => (t >= 3 ? 1 : 0)));
  return { sequences, masks, advantages: [1, -1, 0.5, -0.5] };
}

describe('GRPO through the engine', () => {
  beforeAll(() => runPython(SCRIPT, [dir(), '--bias', '1', '--tied', '0', '--seed', '3']));

  it('computes group advantages with each scaling and counts zero-std groups', () => {
    const r = Engine.groupAdvantages([1, 0, 0, 1, 2, 2, 2, 2], 4, { scaleRewards: 'group', eps: 0 });
    const s = Math.sqrt(1 / 3);
    expect(r.advantages[0]).toBeCloseTo(0.5 / s, 5);
    expect(Array.from(r.advantages.slice(4))).toEqual([0, 0, 0, 0]);
    expect(r.zeroStdGroups).toBe(1);
    const none = Engine.groupAdvantages([0, 1, 3, NaN], 2, { scaleRewards: 'none' });
    expect(Array.from(none.advantages)).toEqual([-0.5, 0.5, 0, 0]);
    expect(none.missing).toBe(1);
    expect(() => Engine.groupAdvantages([1, 2, 3], 2)).toThrow(/groups of 2/);
  });

  it('steps with a sharded reference, and resumes from a checkpoint to the same next step', async () => {
    await using a = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
    const shards = await a.createReference({ shards: 2 });
    console.log(`[grpo/engine] reference shards: ${shards.map((s) => `[${s.firstLayer},${s.endLayer}) ${s.parameters}`).join(' ')}`);
    const b = batch(a.info.vocabSize);
    const ref = await a.referenceLogprobs(b.sequences);
    const pol = await a.logprobs(b.sequences);
    let d = 0;
    ref.forEach((r, i) => r.forEach((v, t) => (d = Math.max(d, Math.abs(v - pol[i][t])))));
    console.log(`[grpo/engine] max |reference - policy| log-prob before training = ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-5);

    const opts = { lr: 1e-2, beta: 0.04, lossType: 'dapo' as const, microBatchSize: 2 };
    const s1 = await a.grpoStep(b, opts);
    expect(s1.skipped).toBe(false);
    expect(s1.step).toBe(1);
    expect(Number.isFinite(s1.loss)).toBe(true);
    expect(s1.kl).toBeGreaterThanOrEqual(0);
    expect(s1.tokens).toBe(b.masks.flat().filter((m) => m === 1).length);
    const ckpt = join(dir(), 'ckpt');
    await a.saveCheckpoint(ckpt, { step: 1, config: { lr: 1e-2 } });
    await a.grpoStep(b, opts);

    await using r = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
    await r.createReference({ shards: 1 });
    const meta = await r.loadCheckpoint(ckpt);
    expect(meta).toEqual({ step: 1, config: { lr: 1e-2 }, optimizerStep: 1 });
    await r.grpoStep(b, opts);
    let worst = 0;
    for (const name of a.parameterNames()) {
      const x = a.parameter(name).data, y = r.parameter(name).data;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
    console.log(`[grpo/engine] max |resumed - uninterrupted| after step 2 = ${worst}`);
    expect(worst).toBe(0);
  });

  it('counts the step\'s model FLOPs by PaLM\'s accounting and measures the matmul peak for MFU', async () => {
    await using e = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
    const b = batch(e.info.vocabSize);
    const s = await e.grpoStep(b, { beta: 0, microBatchSize: 4 });
    // one micro-batch padded to the longest sequence (10 tokens): 4 × 9 positions
    const { numLayers: L, hiddenSize: H, numHeads, numKvHeads, headDim, intermediateSize: I, vocabSize: V } = e.info;
    const q = numHeads * headDim, kv = numKvHeads * headDim, T = 9;
    const matmulParams = L * (2 * H * q + 2 * H * kv + 3 * H * I) + V * H;
    const want = 3 * 4 * T * (2 * matmulParams + 4 * L * T * q);
    expect(s.processedTokens).toBe(4 * T);
    expect(s.modelFlops).toBeCloseTo(want, 0);
    const peak = await e.matmulGflops(256);
    console.log(`[grpo/engine] model FLOPs ${s.modelFlops.toExponential(3)} (formula ${want.toExponential(3)}); matmul peak ${peak.toFixed(1)} GFLOP/s`);
    expect(peak).toBeGreaterThan(0.5);
    await expect(e.matmulGflops(0)).rejects.toThrow(/rows must be/);
  });

  it('takes the same step with gradient checkpointing, and refuses a non-boolean flag', async () => {
    const b = batch(8); // ids below any vocabulary the script makes
    const weights: Float32Array[][] = [];
    for (const gradientCheckpointing of [false, true]) {
      await using e = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
      const s = await e.grpoStep(b, { beta: 0, lr: 1e-2, microBatchSize: 2, entropyCoef: 0.01, gradientCheckpointing });
      expect(s.skipped).toBe(false);
      weights.push(e.parameterNames().map((n) => e.parameter(n).data));
      if (gradientCheckpointing) {
        await expect(e.grpoStep(b, { beta: 0, gradientCheckpointing: 1 as never })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
      }
    }
    let worst = 0;
    weights[0].forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - weights[1][i][j])))));
    console.log(`[grpo/engine] max |weights(checkpointed) - weights| after one step = ${worst}`);
    expect(worst).toBe(0);
  });

  it('accumulates the same supervised (NLL) gradients with gradient checkpointing', async () => {
    const b = batch(8);
    const weights = b.masks.map((m) => m.map((x, t) => x * (1 + (t % 3))));
    const grads: Float32Array[][] = [];
    const losses: number[] = [];
    for (const gradientCheckpointing of [false, true]) {
      await using e = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
      const r = await e.backward({ sequences: b.sequences, weights }, undefined, { gradientCheckpointing });
      losses.push(r.loss);
      grads.push(e.parameterNames().map((n) => e.grad(n)!.data));
      if (gradientCheckpointing) {
        await expect(e.backward({ sequences: b.sequences, weights }, undefined, { gradientCheckpointing: 'yes' as never })).rejects.toMatchObject({
          code: 'E_INVALID_ARGUMENT',
        });
      }
    }
    let worst = 0;
    let largest = 0;
    grads[0].forEach((g, i) =>
      g.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - grads[1][i][j]));
        largest = Math.max(largest, Math.abs(v));
      }),
    );
    console.log(`[grpo/engine] NLL backward: max |grad(checkpointed) - grad| = ${worst.toExponential(2)} (largest |grad| ${largest.toExponential(2)})`);
    expect(largest).toBeGreaterThan(0);
    expect(Math.abs(losses[0] - losses[1])).toBeLessThan(1e-6 * Math.abs(losses[0]));
    expect(worst).toBeLessThanOrEqual(1e-6 * largest);
  });

  it('skips a non-finite step and leaves the weights alone', async () => {
    await using e = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
    const b = { ...batch(e.info.vocabSize), advantages: [NaN, 1, 1, 1] };
    const before = e.parameter('lm_head.weight').data.slice();
    const s = await e.grpoStep(b, { beta: 0 });
    expect(s.skipped).toBe(true);
    expect(s.step).toBe(0);
    expect(e.parameter('lm_head.weight').data).toEqual(before);
  });

  it('rejects bad arguments with codes', async () => {
    await using e = await Engine.load(model(), { device: 'cpu', dtype: 'float32' });
    const b = batch(e.info.vocabSize);
    await expect(e.grpoStep({ ...b, masks: b.masks.slice(1) })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(e.grpoStep(b, { beta: 0.04 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' }); // no reference
    await expect(e.grpoStep(b, { beta: 0, lossType: 'ppo' as never })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(e.createReference({ shards: 99 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});
