// Group generation on the real SmolLM2-135M-Instruct: shared-prefix samples equal
// single-sequence generation, seeds repeat, behaviour log-probs match the engine's
// own log-probs, stop strings cut across token boundaries, samples resume after
// appended observations, AbortSignal cancels, and bad arguments are refused early.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/index.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const LOGPROB_TOL = 1e-3;

describe('generateGroup / openGroup (SmolLM2)', () => {
  let engine: Engine;
  let prompt: number[];
  beforeAll(async () => {
    engine = await Engine.load(MODEL);
    prompt = engine.chatPrompt([{ role: 'user', content: 'Revenue grew from 120 to 150. What is the growth rate? Think step by step.' }]);
  });
  afterAll(() => engine?.dispose());

  it('greedy: every sample of a group equals single-sequence generation', async () => {
    const single = await engine.generate(prompt, { temperature: 0, maxNewTokens: 16 });
    const [group] = await engine.generateGroup([prompt], 4, { temperature: 0, maxNewTokens: 16, microBatch: 3 });
    for (const s of group.samples) expect(s.tokens).toEqual(single.tokens);
    expect(group.promptTokens).toBe(prompt.length);
  });

  it('seeded sampling repeats, and behaviour log-probs equal the engine log-probs', async () => {
    const opts = { temperature: 1, maxNewTokens: 12, seed: 7, microBatch: 2 };
    const [a] = await engine.generateGroup([prompt], 3, opts);
    const [b] = await engine.generateGroup([prompt], 3, opts);
    expect(a.samples.map((s) => s.tokens)).toEqual(b.samples.map((s) => s.tokens));
    expect(a.samples[0].tokens).not.toEqual(a.samples[1].tokens);
    const lps = await engine.logprobs(a.samples.map((s) => [...prompt, ...s.tokens]));
    let worst = 0;
    a.samples.forEach((s, k) => {
      s.logprobs.forEach((lp, t) => (worst = Math.max(worst, Math.abs(lp - lps[k][prompt.length - 1 + t]))));
    });
    console.log(`[group] max |behaviour - engine.logprobs| = ${worst.toExponential(3)} (tolerance ${LOGPROB_TOL})`);
    expect(worst).toBeLessThan(LOGPROB_TOL);
  });

  it('stop strings are matched on decoded text across token boundaries', async () => {
    const free = await engine.generate(prompt, { temperature: 0, maxNewTokens: 24 });
    const pieces = free.tokens.map((t) => engine.tokenizer.decode([t]));
    // A stop string made of the end of token 5 and the start of token 6.
    const k = pieces.findIndex((p, i) => i >= 5 && p.length >= 2 && pieces[i + 1]?.length >= 2);
    const stop = pieces[k].slice(-1) + pieces[k + 1].slice(0, 1);
    const [g] = await engine.generateGroup([prompt], 2, { temperature: 0, maxNewTokens: 24, stopStrings: [stop] });
    const text = engine.tokenizer.decode(g.samples[0].tokens);
    expect(g.samples[0].finishReason).toBe('stop');
    expect(text).toContain(stop);
    expect(g.samples[0].tokens.length).toBeLessThanOrEqual(k + 2);
  });

  it('a sample resumes after appended tokens without re-running its prefix', async () => {
    const group = await engine.openGroup(prompt, 2, { temperature: 0, maxNewTokens: 6 });
    try {
      await group.decode();
      const observation = engine.tokenizer.encode('\n<observation>0.25</observation>\n');
      await group.append(1, observation);
      const [s0, s1] = await group.decode([1]);
      expect(s0.tokens).toHaveLength(6);
      expect(s1.policyMask).toEqual([...new Array(6).fill(1), ...new Array(observation.length).fill(0), ...new Array(6).fill(1)]);
      const prefix = [...prompt, ...s1.tokens.slice(0, 6 + observation.length)];
      const direct = await engine.generate(prefix, { temperature: 0, maxNewTokens: 6 });
      expect(s1.tokens.slice(6 + observation.length)).toEqual(direct.tokens);
      expect(group.stats().cacheBytes).toBeGreaterThan(0);
    } finally {
      group.close();
    }
  });

  it('several prompts, each with its own group, in one call', async () => {
    const other = engine.chatPrompt([{ role: 'user', content: 'What is the capital of France?' }]);
    const groups = await engine.generateGroup([prompt, other], 2, { temperature: 0, maxNewTokens: 10 });
    expect(groups).toHaveLength(2);
    expect(engine.tokenizer.decode(groups[1].samples[0].tokens)).toMatch(/Paris/);
  });

  it('an AbortSignal cancels the work with E_ABORTED', async () => {
    const ctl = new AbortController();
    const work = engine.generateGroup([prompt], 8, { maxNewTokens: 400, signal: ctl.signal, stopIds: [] });
    setTimeout(() => ctl.abort(), 300);
    const t0 = Date.now();
    await expect(work).rejects.toMatchObject({ code: 'E_ABORTED' });
    console.log(`[group] cancelled after ${Date.now() - t0} ms`);
    const after = await engine.generate([1, 2, 3], { temperature: 0, maxNewTokens: 2 });
    expect(after.tokens).toHaveLength(2);
  });

  it('the signal of an open group also cancels its later decodes', async () => {
    const ctl = new AbortController();
    const g = await engine.openGroup(prompt, 2, { maxNewTokens: 400, signal: ctl.signal, stopIds: [] });
    try {
      const work = g.decode();
      setTimeout(() => ctl.abort(), 300);
      const t0 = Date.now();
      await expect(work).rejects.toMatchObject({ code: 'E_ABORTED' });
      console.log(`[group] open group's decode cancelled ${Date.now() - t0} ms after it started (abort at 300 ms)`);
      await expect(g.decode()).rejects.toMatchObject({ code: 'E_ABORTED' });
    } finally {
      g.close();
    }
  });

  it('bad arguments are refused before any work', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => engine.generateGroup([prompt], 0), 'E_INVALID_ARGUMENT'],
      [() => engine.generateGroup([prompt], 2, { temperature: -0.5 }), 'E_INVALID_ARGUMENT'],
      [() => engine.generateGroup([prompt], 2, { topP: 0 }), 'E_INVALID_ARGUMENT'],
      [() => engine.generateGroup([prompt], 2, { topP: 1.01 }), 'E_INVALID_ARGUMENT'],
      [() => engine.generateGroup([[]], 2), 'E_INVALID_ARGUMENT'],
      [() => engine.generateGroup([new Array(8200).fill(5)], 2), 'E_CONTEXT_OVERFLOW'],
      [() => engine.generateGroup([prompt], 2, { stopStrings: [''] }), 'E_INVALID_ARGUMENT'],
    ];
    for (const [call, code] of cases) await expect(call()).rejects.toMatchObject({ code });
  });
});
