import { describe, expect, it } from 'vitest';
import { evaluateArithmetic, findClaims } from './arithmetic-claims.js';

describe('evaluateArithmetic', () => {
  it('follows precedence', () => {
    expect(evaluateArithmetic('2 + 3 * 4')).toBe(14);
    expect(evaluateArithmetic('(150 - 120) / 120')).toBe(0.25);
    expect(evaluateArithmetic('2^3^2')).toBe(512);
    expect(evaluateArithmetic('-3^2')).toBe(-9);
    expect(evaluateArithmetic('1 * (-3)^3 + -2 * (-3)^2')).toBe(-45);
    expect(evaluateArithmetic('25% * 120')).toBe(30);
    expect(evaluateArithmetic('1.5 ** 2')).toBe(2.25);
    expect(evaluateArithmetic('12 × 3 ÷ 4')).toBe(9);
  });
  it('rejects what is not arithmetic', () => {
    for (const s of ['', '1 +', '(1', '1.2.3', 'a + 1', '1 / 0', '('.repeat(100) + '1' + ')'.repeat(100)]) expect(evaluateArithmetic(s)).toBeNull();
  });
});

describe('findClaims', () => {
  it('finds and checks claims, with rounding to the written precision', () => {
    const c = findClaims('so growth = (150 - 120) / 120 = 0.25, and 2 / 3 = 0.67, but 34 / 40 = 1');
    expect(c.map((x) => x.holds)).toEqual([true, true, false]);
  });
  it('handles percentages', () => {
    expect(findClaims('25% of 120 = 30')[0].holds).toBe(true);
    expect(findClaims('25% of 120 = 35')[0].holds).toBe(false);
    expect(findClaims('30 / 120 = 25%')[0].holds).toBe(true);
  });
  it('ignores equations that are not claims', () => {
    expect(findClaims('TP = 9, FN = 2 and x^3 + 2x - 4 = 0, a == b, x <= 3')).toEqual([]);
  });
});
