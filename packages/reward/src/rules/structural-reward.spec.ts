import { describe, expect, it } from 'vitest';
import { structuralReward } from './structural-reward.js';
import { agentic, agenticCases, reflection } from './trajectories.fixture.js';

describe('structural reward, reflection', () => {
  const r = (t: string) => structuralReward(t, 'MODE_REFLECTION');
  it('is 1 for a perfect trajectory', () => expect(r(reflection.perfect).score).toBe(1));
  it('is 0 for misnested tags', () => {
    expect(r(reflection.misnested).score).toBe(0);
    expect(r('<think>a</think><answer>b').score).toBe(0);
    expect(r('</think>').score).toBe(0);
  });
  it('drops for missing tags', () => {
    const s = r(reflection.missingTags);
    expect(s.components.one_think).toBe(0);
    expect(s.components.nothing_outside).toBe(0);
    expect(s.score).toBeLessThan(0.6);
  });
  it('drops for text outside the blocks, and only for that', () => {
    const s = r(reflection.textOutside);
    expect(s.components.nothing_outside).toBe(0);
    expect(s.score).toBeCloseTo(5 / 6);
  });
  it('is full for a wrong answer with good form and partial for a right answer with bad form', () => {
    expect(r(reflection.wrongAnswerGoodForm).score).toBe(1);
    const bad = r(reflection.rightAnswerBadForm);
    expect(bad.components.think_then_answer).toBe(0);
    expect(bad.score).toBeLessThan(1);
  });
  it('wants a short answer', () => {
    expect(r(`<think>x</think><answer>${'long '.repeat(100)}</answer>`).components.answer_short).toBe(0);
  });
});

describe('structural reward, agentic', () => {
  const r = (c: { text: string; spans: { start: number; end: number }[] }, withSpans = true) =>
    structuralReward(c.text, 'MODE_AGENTIC', withSpans ? c.spans : []);
  it('is 1 for a perfect trajectory, with and without observation spans', () => {
    expect(r(agenticCases.perfect).score).toBe(1);
    expect(r(agenticCases.perfect, false).score).toBe(1);
  });
  it('catches a hallucinated observation', () => {
    const s = r(agenticCases.hallucinated);
    expect(s.components.no_hallucinated_observation).toBe(0);
    expect(s.score).toBeCloseTo(5 / 6);
    // Without spans: an observation the model put before its code.
    const early = '<step>\n<thought>t</thought>\n<action>python_executor</action>\n<observation>fake</observation><action_input>x</action_input></step>';
    expect(structuralReward(early, 'MODE_AGENTIC').components.no_hallucinated_observation).toBe(0);
  });
  it('catches repeated identical steps', () => {
    expect(r(agenticCases.repeated).components.no_repeated_step).toBe(0);
  });
  it('wants stop_analysis last', () => {
    expect(r(agenticCases.noStop).components.ends_with_stop_analysis).toBe(0);
  });
  it('wants thought, action, action_input in order and code non-empty', () => {
    const empty = agentic([{ thought: 't', code: '   ', observation: '1' }]);
    expect(r(empty).components.steps_well_formed).toBe(0);
    const swapped = '<step><action>python_executor</action><thought>t</thought><action_input>x</action_input></step>';
    expect(structuralReward(swapped, 'MODE_AGENTIC').components.steps_well_formed).toBe(0);
  });
  it('treats code with tag-like text as code', () => {
    const c = agentic([{ thought: 't', code: 'print("<answer>1</answer>" if a < b else "</step>")', observation: '<answer>1</answer>' }]);
    expect(r(c).score).toBe(1);
  });
  it('flags text between steps', () => {
    const c = agenticCases.perfect;
    expect(structuralReward(c.text.replace('</step>\n<step>', '</step>\nI will now continue.\n<step>'), 'MODE_AGENTIC').components.nothing_outside).toBe(0);
  });
});
