import { describe, expect, it } from 'vitest';
import { GrpoConfig, epsilonHighOf, forwardFlops, grpoStepFlops, groupAdvantages, matmulParameters, mfu, parseGrpoConfig, rewardMetrics } from './index.js';

// TRL's formula (no missing rewards): (r − group mean) / (std + 1e-4), torch.std unbiased.
function trl(r: number[], G: number, scale: 'group' | 'batch' | 'none'): number[] {
  const std = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  };
  return r.map((x, i) => {
    const g = r.slice(Math.floor(i / G) * G, Math.floor(i / G) * G + G);
    const c = x - g.reduce((a, b) => a + b, 0) / G;
    return scale === 'none' ? c : scale === 'group' ? c / (std(g) + 1e-4) : c / (std(r) + 1e-4);
  });
}

describe('config', () => {
  it('fills every default and documents the paper values', () => {
    const c = parseGrpoConfig({});
    expect(c.beta).toBe(0.04);
    expect(c.klEstimator).toBe('k3');
    expect(c.lossType).toBe('grpo');
    expect(epsilonHighOf(c)).toBe(0.2);
    expect(epsilonHighOf(parseGrpoConfig({ epsilonHigh: 0.28 }))).toBe(0.28);
    for (const [k, v] of Object.entries(GrpoConfig.shape)) if (k !== 'seed') expect((v as { description?: string }).description ?? k, k).toBeTruthy();
  });
  it('names the path of a bad field', () => {
    expect(() => parseGrpoConfig({ lossType: 'ppo' })).toThrow(/lossType/);
    expect(() => parseGrpoConfig({ distributed: { rendezvous: 'h:1', rank: 2, worldSize: 2 } })).toThrow(/distributed\.rank/);
    expect(() => parseGrpoConfig({ groupSize: 1 })).toThrow(/groupSize/);
    expect(() => parseGrpoConfig({ bogus: 1 })).toThrow();
  });
});

describe('advantages', () => {
  it('match hand-computed values and TRL for every scaling', () => {
    const s = Math.sqrt(1 / 3);
    expect(groupAdvantages([1, 0, 0, 1], 4, 'group', 0).advantages[0]).toBeCloseTo(0.5 / s, 12);
    const r = [0.3, 1.2, -0.7, 2.2, 0.1, 0.1, 0.9, -1.5, 0.4];
    let worst = 0;
    for (const scale of ['group', 'batch', 'none'] as const) {
      const got = groupAdvantages(r, 3, scale).advantages, want = trl(r, 3, scale);
      got.forEach((g, i) => (worst = Math.max(worst, Math.abs(g - want[i]))));
    }
    console.log(`[grpo/advantages] max |ours - TRL formula| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-12);
  });
  it('exclude missing rewards and count zero-std groups', () => {
    const a = groupAdvantages([1, NaN, 3, 2, 2, 2], 3, 'group', 0);
    expect(a.advantages[1]).toBe(0);
    expect(a.advantages[0]).toBeCloseTo(-1 / Math.SQRT2, 12);
    expect(a.advantages.slice(3)).toEqual([0, 0, 0]);
    expect(a.zeroStdGroups).toBe(1);
    expect(a.fracRewardZeroStd).toBe(0.5);
    expect(a.missing).toBe(1);
  });
});

describe('metrics and FLOPs', () => {
  it('aggregate rewards, components, advantages and lengths', () => {
    const m = rewardMetrics([
      { rewards: [1, 0], components: { structural: [1, 1] }, completionLengths: [10, 20] },
      { rewards: [0.5, 0.5], components: { structural: [0, 1] }, completionLengths: [5, 7] },
    ]);
    expect(m.reward).toBeCloseTo(0.5, 12);
    expect(m.components.structural.mean).toBeCloseTo(0.75, 12);
    expect(m.fracRewardZeroStd).toBe(0.5);
    expect([m.completionLengthMin, m.completionLengthMax, m.completionLengthMean]).toEqual([5, 20, 10.5]);
  });
  it('count SmolLM2-135M matmul parameters and a GRPO step', () => {
    const smol = { vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numLayers: 30, numHeads: 9, numKvHeads: 3, headDim: 64, tieEmbeddings: true };
    // 30 layers × 3.54M + 28.3M output projection.
    expect(matmulParameters(smol)).toBe(30 * (576 * 576 * 2 + 2 * 576 * 192 + 3 * 576 * 1536) + 49152 * 576);
    const f = forwardFlops(smol, 2048, 256);
    expect(grpoStepFlops(smol, 2048, 256, true)).toBe(4 * f);
    expect(grpoStepFlops(smol, 2048, 256, false)).toBe(3 * f);
    expect(mfu(1e12, 2, 1e12)).toBe(0.5);
  });
});
