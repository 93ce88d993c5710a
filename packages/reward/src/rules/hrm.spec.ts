import { describe, expect, it } from 'vitest';
import { generateTasks } from '@datarus/datagen';
import { hrmReward, type HrmInput } from './hrm.js';
import { structuralReward } from './structural-reward.js';
import { agenticCases, growthTask, meanTask, reflection } from './trajectories.fixture.js';

const refl = (text: string, extra: Partial<HrmInput> = {}) =>
  hrmReward({ text, mode: 'MODE_REFLECTION', answer: growthTask.answer, completionTokens: 0, referenceTokens: 0, ...extra });
const agent = (c: { text: string; spans: { start: number; end: number }[] }, extra: Partial<HrmInput> = {}) =>
  hrmReward({ text: c.text, mode: 'MODE_AGENTIC', answer: meanTask.answer, completionTokens: 0, referenceTokens: 0, observationSpans: c.spans, ...extra });

describe('HRM, reflection', () => {
  it('gives a perfect trajectory 1', () => {
    const s = refl(reflection.perfect);
    expect(s.stepScores).toEqual([1, 1]);
    expect(s.score).toBeCloseTo(1, 12);
  });
  it('catches an arithmetic slip inside the reasoning', () => {
    const s = refl(reflection.arithmeticSlip);
    expect(s.stepScores).toEqual([1, 0, 1]);
    expect(s.score).toBeCloseTo(0.3 * (2 / 3) + 0.7, 12);
    expect(s.notes.join()).toContain('claim fails: 30 / 120');
  });
  it('gives a wrong answer with good form no trajectory credit', () => {
    const s = refl(reflection.wrongAnswerGoodForm);
    expect(s.components.correct).toBe(0);
    expect(s.components.trajectory).toBe(0);
    expect(s.score).toBeCloseTo(0.3, 12); // its claims hold
  });
  it('gives a right answer with bad form its correctness (form is the structural reward)', () => {
    const s = refl(reflection.rightAnswerBadForm);
    expect(s.components.correct).toBe(1);
    expect(s.score).toBeGreaterThan(0.9);
  });
  it('is neutral on text without claims', () => {
    const s = refl('<think>\nIt grew by a quarter.\n</think>\n<answer>25%</answer>');
    expect(s.stepScores).toEqual([]);
    expect(s.components.steps).toBeUndefined();
    expect(s.score).toBeCloseTo(0.7 + 0.15 * 0.5 + 0.15, 12);
  });
  it('penalises length beyond the reference, linearly to 0 at 4×', () => {
    expect(refl(reflection.perfect, { completionTokens: 100, referenceTokens: 100 }).components.length).toBe(1);
    expect(refl(reflection.perfect, { completionTokens: 250, referenceTokens: 100 }).components.length).toBeCloseTo(0.5, 12);
    expect(refl(reflection.perfect, { completionTokens: 900, referenceTokens: 100 }).components.length).toBe(0);
  });
  it('checks the answer against the last computed value', () => {
    const s = refl('<think>\n(150 - 120) / 120 = 0.25\n</think>\n<answer>26%</answer>', { answer: { number: 26, unit: '%', relTolerance: 0, value: 'number' } });
    expect(s.components.consistent).toBe(0);
  });
});

describe('HRM, agentic', () => {
  it('gives a perfect trajectory 1', () => {
    const s = agent(agenticCases.perfect);
    expect(s.stepScores).toEqual([1, 1]);
    expect(s.score).toBeCloseTo(1, 12);
  });
  it('gives a hallucinated observation 0 for its step', () => {
    expect(agent(agenticCases.hallucinated).stepScores).toEqual([1, 0]);
  });
  it('gives a repeated step 0', () => {
    expect(agent(agenticCases.repeated).stepScores).toEqual([1, 1, 0]);
  });
  it('gives an error that the next step fixes 0.5', () => {
    expect(agent(agenticCases.selfCorrection).stepScores).toEqual([1, 0.5, 1]);
  });
  it('docks a thought that ignores the previous observation', () => {
    expect(agent(agenticCases.ignoresObservation).stepScores).toEqual([1, 0.75]);
  });
  it('gives a wrong answer no trajectory credit', () => {
    const s = agent(agenticCases.wrongAnswer);
    expect(s.components.correct).toBe(0);
    expect(s.components.consistent).toBe(0);
    expect(s.score).toBeCloseTo(0.3, 12);
  });
});

describe('on generated reference trajectories', () => {
  it('every claim holds, every structure is perfect, every answer is right', () => {
    let refs = 0;
    let worstHrm = 1;
    for (const task of generateTasks({ n: 300, seed: 21, errorRate: 0.5 })) {
      for (const ref of task.references) {
        refs++;
        expect(structuralReward(ref.text, ref.mode).score, `${task.id} ${ref.mode}`).toBe(1);
        const h = hrmReward({ text: ref.text, mode: ref.mode, answer: task.answer, completionTokens: ref.tokenEstimate, referenceTokens: ref.tokenEstimate });
        expect(h.components.correct, `${task.id}: ${h.notes.join('; ')}`).toBe(1);
        if (ref.mode === 'MODE_REFLECTION') expect(h.stepScores.every((s) => s === 1), `${task.id}: ${h.notes.join('; ')}\n${ref.text}`).toBe(true);
        else {
          // a step that raised (a typo) and was fixed by the next gets 0.5; a wrong column or
          // formula runs clean, so only a learned HRM trained on the step labels can see it
          const expected = ref.steps.map((l) => (l.injectedError && l.errorKind === 'typo' ? 0.5 : 1));
          expect(h.stepScores, `${task.id}\n${ref.text}`).toEqual(expected);
        }
        worstHrm = Math.min(worstHrm, h.score);
      }
    }
    console.log(`${refs} reference trajectories; lowest HRM score ${worstHrm.toFixed(3)}`);
  });
});
