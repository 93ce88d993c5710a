// The agentic loop on the real SmolLM2-135M-Instruct with real sandboxes. A model
// this small has no sensible policy, so the tool loop is driven by a few-shot
// prompt it copies greedily (steps it writes run in the sandbox and get real
// observations), and free sampling is checked only for invariants: masks align
// with tokens, appended spans are masked, limits hold, and no sandbox outlives
// the call.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENTIC_SYSTEM_PROMPT } from '@datarus/datagen';
import { Engine } from '@datarus/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgenticGroup, type AgenticSample } from './agentic-episode.js';

const MODEL = fileURLToPath(new URL('../../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const FILES = [{ name: 'data.csv', content: 'month,revenue\n1,120\n2,150\n' }];

/** A step in the trajectory format, with the observation the harness would append. */
const shot = (thought: string, code: string, observation: string) =>
  `<step>\n<thought>${thought}</thought>\n<action>python_executor</action>\n<action_input>\n${code}\n</action_input>\n<observation>\n${observation}\n</observation>\n</step>\n`;

/** PIDs of bwrap processes this test process started and that still run. */
function bwrapChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'bwrap' && Number(m[2]) === process.pid) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function checkInvariants(engine: Engine, s: AgenticSample, limits: { maxTotalTokens: number; maxSteps: number }): void {
  const T = s.tokens.length;
  expect(T).toBeGreaterThan(0);
  expect(T).toBeLessThanOrEqual(limits.maxTotalTokens);
  expect(s.logprobs).toHaveLength(T);
  expect(s.policyMask).toHaveLength(T);
  expect(s.text).toBe(engine.tokenizer.decode(s.tokens));
  expect(s.steps).toBe(s.observationSpans.length);
  expect(s.steps).toBeLessThanOrEqual(limits.maxSteps);
  // Masked tokens are exactly the appended spans, and carry no behaviour log-prob.
  const maskedText: string[] = [];
  let run: number[] = [];
  for (let t = 0; t <= T; t++) {
    if (t < T && s.policyMask[t] === 0) {
      expect(s.logprobs[t]).toBe(0);
      run.push(s.tokens[t]);
    } else if (run.length) {
      maskedText.push(engine.tokenizer.decode(run));
      run = [];
    }
    if (t < T && s.policyMask[t] === 1) expect(s.logprobs[t]).toBeLessThanOrEqual(0);
  }
  expect(maskedText).toEqual(s.observationSpans.map((sp) => s.text.slice(sp.start, sp.end)));
  for (const sp of s.observationSpans) {
    expect(s.text.slice(sp.start, sp.end)).toMatch(/^\n?<observation>\n[\s\S]*\n<\/observation>\n<\/step>\n$/);
    expect(s.text.slice(0, sp.start)).toMatch(/<\/action_input>\n?$/);
  }
  expect(['stop', 'length', 'tool_limit', 'error']).toContain(s.finishReason);
}

describe('runAgenticGroup (SmolLM2, real sandboxes)', () => {
  let engine: Engine;
  let fewShot: number[];
  beforeAll(async () => {
    engine = await Engine.load(MODEL);
    // Five examples: with fewer, the model drifts into prose after its first step.
    const text = [1, 2, 3, 4, 5].map((n) => shot(`Print ${n} plus ${n}.`, `print(${n} + ${n})`, String(2 * n))).join('');
    fewShot = engine.tokenizer.encode(`${text}<step>\n<thought>`);
  });
  afterAll(() => engine?.dispose());

  it('runs the steps the model writes, appends real observations, and stops at maxSteps', async () => {
    const limits = { maxTotalTokens: 400, maxSteps: 2 };
    const samples = await runAgenticGroup(engine, fewShot, 2, { ...limits, temperature: 0, decodeChunkTokens: 64 }, FILES);
    for (const s of samples) {
      console.log(`[agentic] ${s.finishReason} after ${s.steps} steps, ${s.tokens.length} tokens, tools ${s.toolSeconds.toFixed(2)} s:\n${s.text}`);
      checkInvariants(engine, s, limits);
      expect(s.finishReason).toBe('tool_limit');
      expect(s.steps).toBe(2);
      expect(s.toolSeconds).toBeGreaterThan(0);
      // Each observation is what Python printed for the code of its step.
      for (const sp of s.observationSpans) {
        const code = s.text.slice(0, sp.start).split('<action_input>\n').at(-1)!.replace(/\n<\/action_input>\n?$/, '');
        const printed = /^print\((\d+) \+ (\d+)\)$/.exec(code);
        expect(printed).not.toBeNull();
        expect(s.text.slice(sp.start, sp.end)).toContain(`<observation>\n${Number(printed![1]) + Number(printed![2])}\n</observation>`);
      }
    }
    expect(bwrapChildren()).toEqual([]);
  });

  it('ends a sample after maxConsecutiveErrors failed steps: a traceback, an unknown tool', async () => {
    const failing = (var_: string) =>
      shot(`Print ${var_}.`, `print(${var_})`, `Traceback (most recent call last):\n  File "<cell>", line 1, in <module>\n    print(${var_})\nNameError: name '${var_}' is not defined`);
    const limits = { maxTotalTokens: 300, maxSteps: 5 };
    const opts = { ...limits, maxConsecutiveErrors: 1, temperature: 0, decodeChunkTokens: 64 };
    const [s] = await runAgenticGroup(engine, engine.tokenizer.encode(`${['a', 'b', 'c', 'd', 'e'].map(failing).join('')}<step>\n<thought>`), 1, opts, FILES);
    checkInvariants(engine, s, limits);
    expect(s.finishReason).toBe('tool_limit');
    expect(s.steps).toBe(1);
    expect(s.text.slice(s.observationSpans[0].start)).toMatch(/NameError: name '\w+' is not defined\n<\/observation>/);

    const calc = (n: number) =>
      `<step>\n<thought>Add.</thought>\n<action>calculator</action>\n<action_input>\n${n} + ${n}\n</action_input>\n<observation>\n${2 * n}\n</observation>\n</step>\n`;
    const [u] = await runAgenticGroup(engine, engine.tokenizer.encode(`${[1, 2, 3, 4, 5].map(calc).join('')}<step>\n<thought>`), 1, opts, FILES);
    checkInvariants(engine, u, limits);
    expect(u.finishReason).toBe('tool_limit');
    expect(u.text.slice(u.observationSpans[0].start)).toContain('<observation>\nError: unknown tool "calculator". Available tools: python_executor.\n</observation>');
    expect(bwrapChildren()).toEqual([]);
  });

  it('cuts a sample at maxTotalTokens and a free-sampling group keeps its invariants', async () => {
    const cut = await runAgenticGroup(engine, fewShot, 1, { maxTotalTokens: 30, temperature: 0, decodeChunkTokens: 16 }, FILES);
    checkInvariants(engine, cut[0], { maxTotalTokens: 30, maxSteps: 12 });
    expect(cut[0].finishReason).toBe('length');
    expect(cut[0].tokens).toHaveLength(30);

    const prompt = engine.chatPrompt([
      { role: 'system', content: AGENTIC_SYSTEM_PROMPT },
      { role: 'user', content: 'What is the mean monthly revenue?\n\nFiles in the working directory: data.csv.' },
    ]);
    const limits = { maxTotalTokens: 64, maxSteps: 3 };
    const free = await runAgenticGroup(engine, prompt, 2, { ...limits, temperature: 1, seed: 11, decodeChunkTokens: 32, cellTimeoutMs: 3000 }, FILES);
    for (const s of free) checkInvariants(engine, s, limits);
    console.log(`[agentic] free sampling: ${free.map((s) => `${s.finishReason}/${s.steps} steps/${s.tokens.length} tokens`).join(', ')}`);
    expect(bwrapChildren()).toEqual([]);
  });

  it('finishes with "error" when the sandbox cannot start, and refuses bad options', async () => {
    const [s] = await runAgenticGroup(engine, fewShot, 1, { temperature: 0, maxTotalTokens: 200, sandbox: { bwrapPath: '/nonexistent/bwrap' } }, FILES);
    expect(s.finishReason).toBe('error');
    expect(s.steps).toBe(0);
    expect(s.text).toMatch(/<\/action_input>$/);
    await expect(runAgenticGroup(engine, fewShot, 1, { maxSteps: 0 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('an AbortSignal rejects with E_ABORTED and closes every sandbox', async () => {
    const ctl = new AbortController();
    // A step that sleeps keeps the group in its tool call when the signal fires.
    const prompt = engine.tokenizer.encode(
      `${shot('Wait.', 'import time\ntime.sleep(30)', '[no output]').repeat(3)}<step>\n<thought>`,
    );
    const work = runAgenticGroup(engine, prompt, 2, { temperature: 0, cellTimeoutMs: 60_000, signal: ctl.signal }, FILES);
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 2500);
    await expect(work).rejects.toMatchObject({ code: 'E_ABORTED' });
    console.log(`[agentic] cancelled ${Date.now() - t0 - 2500} ms after the abort`);
    expect(bwrapChildren()).toEqual([]);
    await expect(runAgenticGroup(engine, prompt, 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});
