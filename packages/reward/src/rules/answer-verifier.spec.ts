import { describe, expect, it } from 'vitest';
import type { Answer } from '@datarus/contracts';
import { verifyAnswer } from './answer-verifier.js';

const num = (number: number, unit = '', relTolerance = 0): Answer => ({ number, unit, relTolerance, value: 'number' });

describe('verifyAnswer', () => {
  it('matches numbers within the relative tolerance', () => {
    expect(verifyAnswer('131.2', num(131.2)).correct).toBe(true);
    expect(verifyAnswer('131.9', num(131.2)).correct).toBe(true);
    expect(verifyAnswer('134', num(131.2)).correct).toBe(false);
    expect(verifyAnswer('131.9', num(131.2, '', 1e-4)).correct).toBe(false);
    expect(verifyAnswer('0', num(0)).correct).toBe(true);
  });
  it('understands percentages both ways', () => {
    for (const a of ['25%', '25 %', '0.25', '25', '25 percent']) expect(verifyAnswer(a, num(25, '%')).correct).toBe(true);
    expect(verifyAnswer('81.82%', num(0.8182)).correct).toBe(true);
    expect(verifyAnswer('30%', num(25, '%')).correct).toBe(false);
  });
  it('understands fractions, separators, currency and mass units', () => {
    expect(verifyAnswer('3/4', num(0.75)).correct).toBe(true);
    expect(verifyAnswer('$1,234.56', num(1234.56, '$')).correct).toBe(true);
    expect(verifyAnswer('The answer is 4045.29.', num(4045.29, '$')).correct).toBe(true);
    expect(verifyAnswer('292.5 mg', num(292.5, 'mg')).correct).toBe(true);
    expect(verifyAnswer('0.2925 g', num(292.5, 'mg')).correct).toBe(true);
    expect(verifyAnswer('292.5 g', num(292.5, 'mg')).correct).toBe(false);
    expect(verifyAnswer('1.5e3', num(1500)).correct).toBe(true);
    expect(verifyAnswer('−2.5', num(-2.5)).correct).toBe(true);
  });
  it('normalises strings', () => {
    const t: Answer = { text: 'Normal distribution', unit: '', relTolerance: 0, value: 'text' };
    expect(verifyAnswer('  normal   DISTRIBUTION. ', t).correct).toBe(true);
    expect(verifyAnswer('uniform', t).correct).toBe(false);
  });
  it('says why not', () => {
    expect(verifyAnswer(null, num(1)).reason).toBe('no answer');
    expect(verifyAnswer('lots', num(1)).reason).toBe('answer is not a number');
    expect(verifyAnswer('1', undefined).reason).toBe('task has no ground truth');
  });
});
