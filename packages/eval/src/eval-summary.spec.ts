import { describe, expect, it } from 'vitest';
import type { EvalRecord } from './eval-record.js';
import { formatSummary, summarize } from './eval-summary.js';

function rec(taskId: string, domain: string, difficulty: number, correct: boolean, policyTokens: number, finishReason = 'stop'): EvalRecord {
  return {
    taskId,
    kind: 'k',
    domain,
    difficulty,
    mode: 'MODE_REFLECTION',
    sample: 0,
    correct,
    answer: correct ? '1' : '2',
    expected: '1',
    verdict: '',
    structural: correct ? 1 : 0.5,
    policyTokens,
    totalTokens: policyTokens,
    finishReason,
    text: '',
  };
}

// Task a (arithmetic, d1): 2 of 2 right; b (finance, d2): 1 of 2; c (finance, d2): 0 of 2.
const records = [
  rec('a', 'DOMAIN_ARITHMETIC', 1, true, 10),
  rec('a', 'DOMAIN_ARITHMETIC', 1, true, 20),
  rec('b', 'DOMAIN_FINANCE', 2, true, 30),
  rec('b', 'DOMAIN_FINANCE', 2, false, 40, 'length'),
  rec('c', 'DOMAIN_FINANCE', 2, false, 50),
  rec('c', 'DOMAIN_FINANCE', 2, false, 60, 'length'),
];

describe('summarize', () => {
  const s = summarize(records);

  it('counts accuracy over samples with its standard error over tasks', () => {
    expect(s.tasks).toBe(3);
    expect(s.samples).toBe(6);
    expect(s.samplesPerTask).toBe(2);
    expect(s.accuracy).toBeCloseTo(3 / 6, 12);
    // per-task means 1, 0.5, 0: sd 0.5, stderr 0.5/√3
    expect(s.accuracyStdErr).toBeCloseTo(0.5 / Math.sqrt(3), 12);
  });

  it('gives pass@1 = accuracy and pass@2 over tasks', () => {
    expect(s.passAtK['1']).toBeCloseTo(0.5, 12);
    expect(s.passAtK['2']).toBeCloseTo((1 + 1 + 0) / 3, 12);
  });

  it('measures tokens per solution over all and over correct samples', () => {
    expect(s.tokensPerSolution).toBeCloseTo(210 / 6, 12);
    expect(s.tokensPerCorrectSolution).toBeCloseTo(60 / 3, 12);
    expect(s.structural).toBeCloseTo(4.5 / 6, 12);
    expect(s.finishReasons).toEqual({ stop: 4, length: 2 });
  });

  it('splits by domain and difficulty', () => {
    expect(s.byDomain.arithmetic).toEqual({ tasks: 1, samples: 2, accuracy: 1, tokensPerSolution: 15 });
    expect(s.byDomain.finance).toEqual({ tasks: 2, samples: 4, accuracy: 0.25, tokensPerSolution: 45 });
    expect(Object.keys(s.byDifficulty)).toEqual(['1', '2']);
    expect(s.byDifficulty['2'].accuracy).toBeCloseTo(0.25, 12);
  });

  it('reports no correct length when nothing is right, and formats the figures', () => {
    const none = summarize(records.filter((r) => !r.correct));
    expect(none.tokensPerCorrectSolution).toBeNull();
    expect(none.accuracy).toBe(0);
    const text = formatSummary(s);
    expect(text).toContain('accuracy 50.0%');
    expect(text).toContain('pass@2 66.7%');
    expect(text).toContain('tokens per solution 35.0 (correct ones 20.0)');
  });

  it('is empty but defined for no records', () => {
    const e = summarize([]);
    expect(e.samples).toBe(0);
    expect(e.passAtK).toEqual({});
  });
});
