import { describe, expect, it } from 'vitest';
import { duration, progressLine } from './progress.js';
import type { StepMetrics } from './step-metrics.js';

const metrics = (over: Partial<StepMetrics>) =>
  ({ step: 3, elapsed: 90, reward: 0.5, accuracy: 0.25, completionLengthMean: 41.6, kl: 0.0012, memory: { learnerPeakGiB: 5.06, learnerGiB: 4, rolloutPeakGiB: 2 }, ...over }) as StepMetrics;

describe('progressLine', () => {
  it('shows the bar, the step figures, the peak memory and the ETA', () => {
    const line = progressLine(metrics({}), 10, 0, 10);
    expect(line).toBe('step  3/10 ███░░░░░░░ reward 0.500 acc 0.25 len 42 kl 0.0012 mem 5.1G | 30.0s/step ETA 3m30s');
  });

  it('puts a dash where a figure is unknown', () => {
    const line = progressLine(metrics({ kl: NaN, memory: undefined as unknown as StepMetrics['memory'] }), 10, 0, 10);
    expect(line).toContain('kl — mem —G');
  });

  it('times from the resumed step', () => {
    expect(progressLine(metrics({ step: 6 }), 10, 3, 10)).toContain('30.0s/step ETA 2m00s');
  });
});

describe('duration', () => {
  it('formats minutes and seconds, and a dash for nonsense', () => {
    expect(duration(59.6)).toBe('1m00s');
    expect(duration(7)).toBe('7s');
    expect(duration(-1)).toBe('—');
  });
});
