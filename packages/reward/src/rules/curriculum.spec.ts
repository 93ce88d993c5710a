import { describe, expect, it } from 'vitest';
import { curriculumWeights } from './curriculum.js';

describe('cosine curriculum', () => {
  it('goes from w_start to w_end along a half cosine and stays there', () => {
    const cfg = { totalSteps: 100 };
    expect(curriculumWeights(0, cfg).wStruct).toBeCloseTo(0.7, 12);
    expect(curriculumWeights(50, cfg).wStruct).toBeCloseTo(0.4, 12);
    expect(curriculumWeights(100, cfg).wStruct).toBeCloseTo(0.1, 12);
    expect(curriculumWeights(500, cfg).wStruct).toBeCloseTo(0.1, 12);
    // independent reference: 0.1 + 0.6 * cos²(π t / 2T)
    let worst = 0;
    for (let t = 0; t <= 100; t++) {
      const w = curriculumWeights(t, cfg);
      worst = Math.max(worst, Math.abs(w.wStruct - (0.1 + 0.6 * Math.cos((Math.PI * t) / 200) ** 2)));
      expect(w.wStruct + w.wSem).toBeCloseTo(1, 12);
      if (t > 0) expect(w.wStruct).toBeLessThan(curriculumWeights(t - 1, cfg).wStruct);
    }
    console.log(`largest difference from the cos² form: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-12);
  });
  it('validates its config', () => {
    expect(() => curriculumWeights(0, { wStart: 2 })).toThrow();
  });
});
