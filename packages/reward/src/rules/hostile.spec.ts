import { describe, expect, it } from 'vitest';
import { hrmReward } from './hrm.js';
import { structuralReward } from './structural-reward.js';
import { verifyAnswer } from './answer-verifier.js';
import { extractAnswer } from './trajectory-view.js';
import { hostileCompletions } from './hostile.fixture.js';
import { growthTask } from './trajectories.fixture.js';

describe('hostile completions', () => {
  it('are scored in bounded time, in [0, 1], without throwing', () => {
    const times: [string, number][] = [];
    for (const [name, text] of Object.entries(hostileCompletions)) {
      for (const mode of ['MODE_REFLECTION', 'MODE_AGENTIC'] as const) {
        const t0 = performance.now();
        const s = structuralReward(text, mode);
        const h = hrmReward({ text, mode, answer: growthTask.answer, completionTokens: 0, referenceTokens: 100 });
        verifyAnswer(extractAnswer(text), growthTask.answer);
        const ms = performance.now() - t0;
        times.push([`${name}/${mode === 'MODE_AGENTIC' ? 'agentic' : 'reflection'}`, ms]);
        for (const v of [s.score, h.score, ...Object.values(s.components), ...Object.values(h.components)]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }
    }
    times.sort((a, b) => b[1] - a[1]);
    console.log(`hostile inputs: ${times.length} scored; worst ${times[0][0]} ${times[0][1].toFixed(1)} ms; next ${times
      .slice(1, 4)
      .map(([n, t]) => `${n} ${t.toFixed(1)} ms`)
      .join(', ')}`);
    expect(times[0][1]).toBeLessThan(500);
  });
});
