import { describe, expect, it } from 'vitest';
import { Mode } from '@datarus/contracts';
import { generateTasks, referenceCompletion, REFLECTION_SYSTEM_PROMPT } from '@datarus/datagen';
import { findClaims } from './arithmetic-claims.js';
import { KnownNumbers, numbersOf, problemText } from './claim-grounding.js';
import { hrmReward } from './hrm.js';

describe('numbersOf', () => {
  it('reads integers, decimals and thousands separators', () => {
    expect(numbersOf('from 1,200.5 to 150 at 4.5% over 12 years, 3, 4')).toEqual([1200.5, 150, 4.5, 12, 3, 4]);
    expect(numbersOf('year,cash_flow\n0,-14400\n1,6000\n')).toEqual([0, 14400, 1, 6000]);
  });
});

describe('KnownNumbers', () => {
  const known = new KnownNumbers('Revenue went from 273 to 440. Rate 1.3% a year.');

  it('knows the problem, its percentages, small constants and rounded forms', () => {
    for (const lit of ['273', '440', '1.3', '0.013', '130', '12', '100', '0.0130', '1.013', '0.987']) expect(known.has(lit), lit).toBe(true);
    for (const lit of ['150', '274', '0.014', '120']) expect(known.has(lit), lit).toBe(false);
    expect(known.grounds('(440 - 273) / 273')).toBe(true);
    expect(known.grounds('(150 - 120) / 120')).toBe(false);
  });

  it('learns earlier results, as written to their precision', () => {
    const k = new KnownNumbers('from 273 to 440');
    expect(k.grounds('0.6117 * 17')).toBe(false);
    expect(k.grounds('0.6117 * 100')).toBe(true); // half its numbers: 100
    k.add((440 - 273) / 273);
    expect(k.grounds('0.6117 * 100')).toBe(true);
    expect(k.grounds('61.17 + 17')).toBe(true); // the hundredfold
  });
});

describe('grounded HRM step scores', () => {
  const tasks = [...generateTasks({ n: 200, seed: 21 })];

  it('leave every reference trajectory of every kind fully sound', () => {
    let claims = 0;
    for (const task of tasks) {
      const text = referenceCompletion(task, Mode.MODE_REFLECTION)!;
      const known = new KnownNumbers(problemText(task));
      for (const line of text.split('\n')) {
        for (const c of findClaims(line)) {
          claims++;
          expect(known.grounds(c.expression), `${task.kind}: ${c.expression} in ${task.prompt.slice(0, 200)}`).toBe(true);
          if (c.holds) known.add(c.claimed);
        }
        known.addAll(line);
      }
      const s = hrmReward({ text, mode: Mode.MODE_REFLECTION, answer: task.answer, completionTokens: 0, referenceTokens: 0, problem: problemText(task) });
      if (s.stepScores.length) expect(Math.min(...s.stepScores), task.kind).toBe(1);
    }
    console.log(`${claims} claims of ${tasks.length} reference trajectories, all grounded`);
    expect(claims).toBeGreaterThan(100);
  });

  it('give no step credit for the prompt example copied into another task', () => {
    const task = tasks.find((t) => t.kind === 'arithmetic.expression')!;
    const example = REFLECTION_SYSTEM_PROMPT.slice(REFLECTION_SYSTEM_PROMPT.lastIndexOf('<think>'));
    const input = { text: example, mode: Mode.MODE_REFLECTION, answer: task.answer, completionTokens: 0, referenceTokens: 0 };
    expect(hrmReward(input).stepScores).toEqual([1]); // the arithmetic holds …
    const grounded = hrmReward({ ...input, problem: problemText(task) });
    expect(grounded.stepScores).toEqual([0]); // … but computes from nothing the task gave
    expect(grounded.notes.some((n) => n.startsWith('claim not grounded'))).toBe(true);
    expect(hrmReward({ ...input, problem: problemText(task) }, { groundClaims: false }).stepScores).toEqual([1]);
  });
});
