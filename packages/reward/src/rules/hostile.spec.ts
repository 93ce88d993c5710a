import { describe, expect, it } from 'vitest';
import { problemText } from './claim-grounding.js';
import { hrmReward } from './hrm.js';
import { structuralReward } from './structural-reward.js';
import { verifyAnswer } from './answer-verifier.js';
import { extractAnswer } from './trajectory-view.js';
import { hostileCompletions } from './hostile.fixture.js';
import { agenticCases, growthTask, reflection } from './trajectories.fixture.js';

describe('hostile completions', () => {
  it('are scored in bounded time, in [0, 1], without throwing', () => {
    // warm up on ordinary trajectories, as a serving worker would be
    for (let i = 0; i < 50; i++) {
      for (const text of [...Object.values(reflection), ...Object.values(agenticCases).map((c) => c.text)]) {
        for (const mode of ['MODE_REFLECTION', 'MODE_AGENTIC'] as const) {
          structuralReward(text, mode);
          hrmReward({ text, mode, answer: growthTask.answer, completionTokens: 0, referenceTokens: 100, problem: problemText(growthTask) });
        }
      }
    }
    // Each input is scored 3 times; the median is the figure (robust to the process
    // being descheduled on a shared machine), the single worst run is bounded.
    const times: [string, number][] = [];
    let worstSingle = 0;
    for (const [name, text] of Object.entries(hostileCompletions)) {
      for (const mode of ['MODE_REFLECTION', 'MODE_AGENTIC'] as const) {
        const runs: number[] = [];
        for (let k = 0; k < 3; k++) {
          const t0 = performance.now();
          const s = structuralReward(text, mode);
          const h = hrmReward({ text, mode, answer: growthTask.answer, completionTokens: 0, referenceTokens: 100, problem: problemText(growthTask) });
          verifyAnswer(extractAnswer(text), growthTask.answer);
          runs.push(performance.now() - t0);
          for (const v of [s.score, h.score, ...Object.values(s.components), ...Object.values(h.components)]) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
        runs.sort((a, b) => a - b);
        worstSingle = Math.max(worstSingle, runs[2]);
        times.push([`${name}/${mode === 'MODE_AGENTIC' ? 'agentic' : 'reflection'}`, runs[1]]);
      }
    }
    times.sort((a, b) => b[1] - a[1]);
    console.log(
      `hostile inputs: ${times.length} scored (structural + HRM + verifier, ~100k chars each); worst median ${times[0][0]} ${times[0][1].toFixed(1)} ms; ` +
        `next ${times.slice(1, 4).map(([n, t]) => `${n} ${t.toFixed(1)} ms`).join(', ')}; worst single run ${worstSingle.toFixed(1)} ms`,
    );
    expect(worstSingle).toBeLessThan(500);
  });
});
