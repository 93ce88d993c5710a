import { describe, expect, it } from 'vitest';
import { blendScores, type WorkerOutcome } from './blend.js';

const o = (worker: string, role: 'structure' | 'semantic', score: number | null, weight = 1): WorkerOutcome => ({
  worker,
  role,
  weight,
  score,
  components: score === null ? [] : [{ name: 'part', value: score / 2 }],
  noScore: score === null ? { reason: 'timed out', code: 'E_WORKER_TIMEOUT' } : undefined,
});

describe('blendScores', () => {
  const w = { wStruct: 0.25, wSem: 0.75 };
  it('weights each side, renormalising over the workers that answered', () => {
    const b = blendScores([o('s', 'structure', 0.8), o('h', 'semantic', 0.4, 3), o('x', 'semantic', 1, 1), o('gone', 'semantic', null, 5)], w, 7);
    expect(b.reward).toBeCloseTo(0.25 * 0.8 + 0.75 * ((3 * 0.4 + 1) / 4), 12);
    expect(b.step).toBe(7);
    expect(b.missing).toEqual({ gone: { reason: 'timed out', code: 'E_WORKER_TIMEOUT' } });
    expect(b.components.find((c) => c.name === 'h.part')?.value).toBeCloseTo(0.2, 12);
  });
  it('gives an empty side its weight to the other, and no reward when nothing answered', () => {
    expect(blendScores([o('s', 'structure', 0.8), o('h', 'semantic', null)], w, 0).reward).toBeCloseTo(0.8, 12);
    const none = blendScores([o('s', 'structure', null), o('h', 'semantic', null)], w, 0);
    expect(none.hasReward).toBe(false);
    expect(Object.keys(none.missing)).toEqual(['s', 'h']);
  });
});
