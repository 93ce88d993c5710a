import { describe, expect, it } from 'vitest';
import { passAtK } from './pass-at-k.js';

/** The definition itself: the fraction of k-subsets of n samples (c correct) holding a correct one. */
function bruteForce(n: number, c: number, k: number): number {
  let hit = 0;
  let all = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let i = 0; i < n; i++) bits += (mask >> i) & 1;
    if (bits !== k) continue;
    all++;
    // samples 0 .. c−1 are the correct ones
    if ((mask & ((1 << c) - 1)) !== 0) hit++;
  }
  return hit / all;
}

describe('passAtK', () => {
  it('equals the fraction of k-subsets with a correct sample, for every n ≤ 10', () => {
    let worst = 0;
    for (let n = 1; n <= 10; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) worst = Math.max(worst, Math.abs(passAtK(n, c, k) - bruteForce(n, c, k)));
    console.log(`pass@k vs enumeration of subsets: max |difference| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-12);
  });

  it('has the hand values: pass@1 = c/n, all-wrong 0, too few wrong 1', () => {
    expect(passAtK(8, 3, 1)).toBeCloseTo(3 / 8, 15);
    expect(passAtK(8, 0, 4)).toBe(0);
    expect(passAtK(8, 5, 4)).toBe(1); // only 3 wrong: every 4-subset holds a correct one
    expect(passAtK(4, 1, 2)).toBeCloseTo(1 - 3 / 6, 15); // C(3,2)/C(4,2) = 3/6 miss
  });

  it('stays finite where binomial coefficients overflow a double', () => {
    const p = passAtK(2000, 10, 100);
    expect(p).toBeGreaterThan(0.4);
    expect(p).toBeLessThan(0.41); // 1 − Π (1 − 100/i), i = 1991 .. 2000 ≈ 0.4020
  });

  it('refuses impossible arguments with a code', () => {
    for (const [n, c, k] of [
      [0, 0, 1],
      [4, 5, 1],
      [4, 2, 0],
      [4, 2, 5],
      [4, 1.5, 1],
    ]) {
      expect(() => passAtK(n, c, k)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
  });
});
