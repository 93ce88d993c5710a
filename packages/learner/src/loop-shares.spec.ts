import { describe, expect, it } from 'vitest';
import { sharesTable, stepShares } from './loop-shares.js';
import type { StepMetrics } from './step-metrics.js';

const row = (step: number, seconds: StepMetrics['seconds'], memory?: StepMetrics['memory']) => ({ step, seconds, memory }) as StepMetrics;

describe('loop shares', () => {
  // 20 s of wall time: 6 s waiting, of which 4 s generation and 1 s reward; 10 s training.
  const a = row(1, { step: 20, generation: 4, reward: 1, reference: 3, training: 10, waiting: 6, weights: 1 }, { learnerPeakGiB: 5.04, learnerGiB: 3.9, rolloutPeakGiB: 1.8 });
  const b = row(2, { step: 10, generation: 2, reward: 0, reference: 2, training: 6, waiting: 2, weights: 0 }, { learnerPeakGiB: 6.4, learnerGiB: 3.9, rolloutPeakGiB: NaN });

  it('splits a step’s wall time, waiting beyond generation and reward as its own share', () => {
    expect(stepShares(a)).toEqual({ step: 1, seconds: 20, generation: 0.2, reward: 0.05, reference: 0.15, training: 0.5, weights: 0.05, waitingOther: 0.05 });
  });

  it('tabulates each step and the run, names the largest share, and shows the memory peaks', () => {
    const lines = sharesTable([a, b]).split('\n');
    expect(lines[0]).toMatch(/step +wall s +generation +reward +reference +training +weights +waiting +learner GiB +rollout GiB/);
    expect(lines[1]).toMatch(/^ +1 +20\.0 +20\.0% +5\.0% +15\.0% +50\.0% +5\.0% +5\.0% +5\.04 +1\.80$/);
    expect(lines[2]).toMatch(/ +6\.40 +—$/); // no rollout peak reported that step
    // over 30 s: training 16 s, the run's highest peaks
    expect(lines[3]).toMatch(/^ +all +30\.0 .* +53\.3% .* +6\.40 +1\.80$/);
    expect(lines[4]).toBe('largest share: training (53.3% of the wall time)');
  });

  it('puts dashes where rows carry no memory figures', () => {
    const old = row(3, { step: 5, generation: 1, reward: 0, reference: 1, training: 3, waiting: 1, weights: 0 });
    expect(sharesTable([old]).split('\n')[1]).toMatch(/ +— +—$/);
  });
});
