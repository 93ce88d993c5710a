import { describe, expect, it } from 'vitest';
import { formatQuarterComparison, quarterComparison } from './quarters.js';

const rows = (rewards: number[], stderr = 0.05) => rewards.map((reward, i) => ({ step: i + 1, reward, rewardStderr: stderr }));

/** Deterministic noise in [-1, 1) (a 32-bit LCG), so the verdicts do not depend on luck. */
function noise(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

describe('quarterComparison', () => {
  it('matches a hand computation', () => {
    // k = 2: first {0, 1} mean 0.5, sd √0.5, se 0.5; last {2, 4} mean 3, sd √2, se 1.
    const q = quarterComparison(rows([0, 1, 9, 9, 9, 9, 2, 4]));
    expect(q.first).toEqual({ mean: 0.5, stderr: 0.5, n: 2, unit: 'step' });
    expect(q.last.mean).toBe(3);
    expect(q.last.stderr).toBeCloseTo(1, 12);
    expect(q.diff).toBe(2.5);
    expect(q.diffStderr).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(q.improved).toBe(true); // 2.5 > 2 · 1.118
  });

  it('says improved for a rising reward', () => {
    const r = noise(1);
    const q = quarterComparison(rows(Array.from({ length: 40 }, (_, i) => 0.1 + 0.015 * i + 0.03 * r())));
    expect(q.verdict).toBe('improved');
    expect(q.first.n).toBe(10);
    expect(q.last.n).toBe(10);
    expect(q.diff).toBeGreaterThan(0.4);
  });

  it('says no clear change for a flat reward', () => {
    const r = noise(2);
    const q = quarterComparison(rows(Array.from({ length: 40 }, () => 0.5 + 0.05 * r())));
    expect(q.improved).toBe(false);
    expect(q.verdict).toBe('unclear');
    expect(Math.abs(q.diff)).toBeLessThan(2 * q.diffStderr);
  });

  it('does not mistake a small trend in large noise for learning', () => {
    const r = noise(3);
    const q = quarterComparison(rows(Array.from({ length: 40 }, (_, i) => 0.4 + 0.001 * i + 0.5 * r())));
    expect(q.improved).toBe(false);
    expect(q.diffStderr).toBeGreaterThan(0.05);
  });

  it('says worse for a falling reward', () => {
    const q = quarterComparison(rows(Array.from({ length: 20 }, (_, i) => 1 - 0.04 * i + (i % 2 ? 0.01 : -0.01))));
    expect(q.verdict).toBe('worse');
    expect(q.improved).toBe(false);
  });

  it('uses the step order, ignores non-finite rewards, and falls back on rewardStderr for one-step quarters', () => {
    const q = quarterComparison([
      { step: 3, reward: 1, rewardStderr: 0.1 },
      { step: 2, reward: NaN, rewardStderr: NaN },
      { step: 1, reward: 0, rewardStderr: 0.1 },
    ]);
    expect(q.first).toEqual({ mean: 0, stderr: 0.1, n: 1, unit: 'step' });
    expect(q.last).toEqual({ mean: 1, stderr: 0.1, n: 1, unit: 'step' });
    expect(q.diffStderr).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(q.improved).toBe(true);
  });

  it('gives no verdict with fewer than two steps', () => {
    for (const input of [[], rows([0.7])]) {
      const q = quarterComparison(input);
      expect(q.verdict).toBe('too-few-steps');
      expect(q.improved).toBe(false);
    }
    expect(quarterComparison([]).first.n).toBe(0);
    expect(Number.isNaN(quarterComparison([]).first.mean)).toBe(true);
  });
});

describe('formatQuarterComparison', () => {
  it('writes one line with both quarters and the verdict', () => {
    const line = formatQuarterComparison(quarterComparison(rows([0, 1, 9, 9, 9, 9, 2, 4])));
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^reward first quarter 0\.5 ± 0\.5 \(2 steps\) → last quarter 3 ± 1 \(2 steps\): \+2\.5 ± 1\.118, improved/);
    expect(formatQuarterComparison(quarterComparison(rows([0.5, 0.5, 0.5, 0.5], 0.1)))).toContain('no clear change');
    expect(formatQuarterComparison(quarterComparison([]))).toContain('too few steps');
  });
});

describe('quarterComparison over group means', () => {
  it('pools the group means of the quarter steps, so the noise between groups sets the standard error', () => {
    const row = (step: number, groupRewards: number[]) => ({ step, reward: groupRewards.reduce((a, b) => a + b, 0) / groupRewards.length, rewardStderr: 0.01, groupRewards });
    const q = quarterComparison([row(1, [0, 0.2]), row(2, [0.1, 0.3]), row(3, [0.5, 0.5]), row(4, [0.6, 0.8]), row(5, [0.7, 0.9]), row(6, [0.6, 1]), row(7, [0.8, 0.8]), row(8, [0.9, 0.7])]);
    expect(q.first.unit).toBe('group');
    expect(q.first.n).toBe(4);
    expect(q.first.mean).toBeCloseTo(0.15, 12);
    // sample sd of [0, 0.2, 0.1, 0.3] is 0.1291; its standard error over 4 groups 0.0645
    expect(q.first.stderr).toBeCloseTo(Math.sqrt(((0.15 ** 2 + 0.05 ** 2) * 2) / 3) / 2, 12);
    expect(q.verdict).toBe('improved');
    expect(formatQuarterComparison(q)).toContain('(4 groups)');
  });
});
