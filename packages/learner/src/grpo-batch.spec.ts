import { describe, expect, it } from 'vitest';
import type { ScoredGroup } from '@datarus/contracts';
import { buildBatch, meanStderr } from './grpo-batch.js';

function scored(prompt: number[], samples: { tokens: number[]; mask: boolean[]; lp: number[]; reward: number | null; correct?: number }[]): ScoredGroup {
  return {
    group: {
      groupId: 'r.1.0.0',
      taskId: 't',
      policyVersion: 0,
      mode: 'MODE_REFLECTION',
      promptTokenIds: prompt,
      samples: samples.map((s) => ({ completionTokenIds: s.tokens, behaviourLogprobs: s.lp, lossMask: s.mask, finishReason: 'FINISH_REASON_STOP', completionText: '', observationSpans: [] })),
      worker: 'w',
      seed: '0',
      step: 0,
    },
    scores: samples.map((s) => ({
      reward: s.reward ?? 0,
      hasReward: s.reward !== null,
      step: 0,
      wStruct: 0.7,
      wSem: 0.3,
      components: [{ name: 'w_struct', value: 0.7 }, { name: 'structural', value: s.reward ?? 0 }, ...(s.correct === undefined ? [] : [{ name: 'hrm.correct', value: s.correct }])],
      missing: {},
    })),
    step: 0,
    totalSteps: 4,
  };
}

describe('buildBatch', () => {
  it('aligns completion tokens to predicted positions: token j of the completion is position P − 1 + j', () => {
    const b = buildBatch([
      scored([10, 11, 12], [
        { tokens: [20, 21, 22], mask: [true, false, true], lp: [-1, -9, -3], reward: 0.5, correct: 1 },
        { tokens: [30], mask: [true], lp: [-2], reward: null, correct: 0 },
      ]),
    ]);
    expect(b.sequences).toEqual([[10, 11, 12, 20, 21, 22], [10, 11, 12, 30]]);
    // L − 1 positions each; the prompt's P − 1 = 2 positions are masked
    expect(b.masks).toEqual([[0, 0, 1, 0, 1], [0, 0, 1]]);
    // behaviour log-probs only where the policy wrote the token (the appended one is zeroed)
    expect(b.oldLogprobs).toEqual([[0, 0, -1, 0, -3], [0, 0, -2]]);
    expect(b.completionLengths).toEqual([2, 1]);
    expect(b.rewards[0]).toBe(0.5);
    expect(Number.isNaN(b.rewards[1])).toBe(true);
    expect(b.correct).toEqual([1, 0]);
    expect(b.components).toEqual({ structural: 0.25, 'hrm.correct': 0.5 });
    expect(b.groupSize).toBe(2);
  });

  it('refuses groups of different sizes and an empty batch', () => {
    const a = scored([1, 2], [{ tokens: [3], mask: [true], lp: [0], reward: 1 }]);
    const b = scored([1, 2], [
      { tokens: [3], mask: [true], lp: [0], reward: 1 },
      { tokens: [4], mask: [true], lp: [0], reward: 0 },
    ]);
    expect(() => buildBatch([b, a])).toThrow(/expected 2/);
    expect(() => buildBatch([])).toThrow(/no groups/);
  });
});

describe('meanStderr', () => {
  it('ignores NaN and computes the sample std and the standard error', () => {
    const r = meanStderr([1, 2, 3, NaN]);
    expect(r.mean).toBe(2);
    expect(r.std).toBeCloseTo(1, 12);
    expect(r.stderr).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(meanStderr([NaN]).n).toBe(0);
  });
});
