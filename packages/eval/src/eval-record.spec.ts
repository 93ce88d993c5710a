// Scoring against the generator's ground truth, on the generator's own reference
// trajectories (right by construction) and on copies with the answer changed.
import { describe, expect, it } from 'vitest';
import { Mode } from '@datarus/contracts';
import { generateTasks, referenceCompletion } from '@datarus/datagen';
import { expectedText, scoreSample } from './eval-record.js';

const tasks = [...generateTasks({ n: 40, seed: 5 })];

describe('scoreSample', () => {
  it('scores every reflection reference right, with full structure', () => {
    for (const task of tasks) {
      const text = referenceCompletion(task, Mode.MODE_REFLECTION)!;
      const r = scoreSample(task, Mode.MODE_REFLECTION, 0, { text, policyTokens: 7, totalTokens: 7, finishReason: 'stop' });
      expect(r.correct, `${task.id}: ${r.answer} vs ${r.expected} (${r.verdict})`).toBe(true);
      expect(r.structural).toBe(1);
      expect(r.policyTokens).toBe(7);
      expect(r.domain).toBe(task.domain);
    }
  });

  it('scores a changed answer wrong and a missing one as no answer', () => {
    for (const task of tasks) {
      const text = referenceCompletion(task, Mode.MODE_REFLECTION)!;
      const wrong = text.replace(/<answer>[\s\S]*<\/answer>/, '<answer>-987654.321</answer>');
      const r = scoreSample(task, Mode.MODE_REFLECTION, 1, { text: wrong, policyTokens: 1, totalTokens: 1, finishReason: 'stop' });
      expect(r.correct, task.id).toBe(false);
      expect(r.answer).toBe('-987654.321');
      const cut = scoreSample(task, Mode.MODE_REFLECTION, 2, { text: text.replace(/<answer>[\s\S]*$/, ''), policyTokens: 1, totalTokens: 1, finishReason: 'length' });
      expect(cut.correct).toBe(false);
      expect(cut.answer).toBeNull();
      expect(cut.verdict).toBe('no answer');
      expect(cut.structural).toBeLessThan(1);
    }
  });

  it('scores the agentic references right', () => {
    const agentic = tasks.filter((t) => t.modes.includes(Mode.MODE_AGENTIC));
    expect(agentic.length).toBeGreaterThan(0);
    for (const task of agentic) {
      const text = referenceCompletion(task, Mode.MODE_AGENTIC)!;
      const r = scoreSample(task, Mode.MODE_AGENTIC, 0, { text, policyTokens: 3, totalTokens: 9, finishReason: 'stop' });
      expect(r.correct, `${task.id}: ${r.answer} vs ${r.expected}`).toBe(true);
    }
  });

  it('writes the ground truth as text with its unit', () => {
    const pct = tasks.find((t) => t.answer?.unit === '%')!;
    expect(expectedText(pct)).toMatch(/%$/);
    expect(expectedText({ ...pct, answer: undefined })).toBe('');
  });
});
