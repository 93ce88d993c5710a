// evaluateTasks on the real SmolLM2 model: greedy evaluation repeats exactly, the
// token counts and finish reasons agree with the length limit, several samples per
// task come back in order, agentic mode runs the model's code in the sandbox, and
// bad input is refused with a code.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@datarus/contracts';
import { generateTask } from '@datarus/datagen';
import { Engine } from '@datarus/engine';
import { evaluateTasks } from './evaluate.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const tasks: Task[] = [generateTask(3, 0, { difficulties: [1] }, 'arithmetic.expression'), generateTask(3, 1, { difficulties: [1] }, 'finance.growth')];

describe('evaluateTasks (SmolLM2-135M)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.load(MODEL);
  });
  afterAll(() => engine?.dispose());

  it('is deterministic when greedy, and bounded by maxNewTokens', async () => {
    const done: number[] = [];
    const a = await evaluateTasks(engine, tasks, { maxNewTokens: 24 }, { onTask: (n) => done.push(n) });
    const b = await evaluateTasks(engine, tasks, { maxNewTokens: 24 });
    expect(done).toEqual([1, 2]);
    expect(a.map((r) => r.taskId)).toEqual(tasks.map((t) => t.id));
    expect(b).toEqual(a);
    for (const r of a) {
      expect(r.policyTokens).toBeGreaterThan(0);
      expect(r.policyTokens).toBeLessThanOrEqual(24);
      expect(r.totalTokens).toBe(r.policyTokens); // reflection: no observations
      expect(['stop', 'length']).toContain(r.finishReason);
      if (r.finishReason === 'length') expect(r.policyTokens).toBe(24);
      expect(r.text.length).toBeGreaterThan(0);
    }
  });

  it('returns every sample of every task in order', async () => {
    const r = await evaluateTasks(engine, tasks.slice(0, 1), { samples: 3, temperature: 1, maxNewTokens: 8, seed: 11 });
    expect(r.map((x) => x.sample)).toEqual([0, 1, 2]);
    const again = await evaluateTasks(engine, tasks.slice(0, 1), { samples: 3, temperature: 1, maxNewTokens: 8, seed: 11 });
    expect(again.map((x) => x.text)).toEqual(r.map((x) => x.text));
  });

  it('runs agentic tasks through the sandbox, counting observations apart', async () => {
    const task = generateTask(3, 2, { difficulties: [1] }, 'statistics.dataset');
    expect(task.modes).toContain('MODE_AGENTIC');
    const [r] = await evaluateTasks(engine, [task], { mode: 'MODE_AGENTIC', maxNewTokens: 64, agentic: { maxSteps: 1, maxConsecutiveErrors: 1, maxTotalTokens: 64, maxObservationChars: 400, cellTimeoutMs: 5000, memoryMb: 512 } });
    expect(r.mode).toBe('MODE_AGENTIC');
    expect(r.totalTokens).toBeGreaterThanOrEqual(r.policyTokens);
    expect(r.totalTokens).toBeLessThanOrEqual(64 + 400); // the budget, plus at most one cut observation
    expect(['stop', 'length', 'tool_limit', 'error']).toContain(r.finishReason);
  });

  it('refuses a task without ground truth, bad options, and an aborted run, with codes', async () => {
    const seen: number[] = [];
    await expect(evaluateTasks(engine, [tasks[0], { ...tasks[1], answer: undefined }], {}, { onTask: (n) => seen.push(n) })).rejects.toMatchObject({ code: 'E_BAD_TASK' });
    expect(seen).toEqual([]); // refused before the first task ran
    await expect(evaluateTasks(engine, tasks, { samples: 0 })).rejects.toThrow(/samples/);
    const ac = new AbortController();
    ac.abort();
    await expect(evaluateTasks(engine, tasks, {}, { signal: ac.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});
