import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '@datarus/config';
import { summarize } from '@datarus/eval';
import { formatEvalComparison, heldOutTasks } from './held-out-eval.js';
import { taskFor } from './task-feed.js';

describe('heldOutTasks', () => {
  const config = loadRunConfig(['--eval.tasks', '8', '--tasks.pool', '4']);
  const pool = Array.from({ length: config.tasks.pool }, (_, i) => taskFor(config, i));

  it('draws the training distribution from its own seed, never a training task', () => {
    const tasks = heldOutTasks(config);
    expect(tasks).toHaveLength(8);
    const prompts = new Set(pool.map((t) => t.prompt));
    for (const t of tasks) {
      expect(prompts.has(t.prompt)).toBe(false);
      expect(config.tasks.kinds).toContain(t.kind);
      expect(config.tasks.difficulties).toContain(t.difficulty);
    }
    expect(heldOutTasks(config)).toEqual(tasks);
  });

  it('skips the pool even when its seed is the training seed', () => {
    const same = { ...config, eval: { ...config.eval, seed: config.tasks.seed } };
    const tasks = heldOutTasks(same);
    expect(tasks).toHaveLength(8);
    const prompts = new Set(pool.map((t) => t.prompt));
    expect(tasks.some((t) => prompts.has(t.prompt))).toBe(false);
  });

  it('skips every step\'s task when each group gets a fresh one', () => {
    const fresh = loadRunConfig(['--eval.tasks', '8', '--tasks.pool', '0', '--steps', '30']);
    const same = { ...fresh, eval: { ...fresh.eval, seed: fresh.tasks.seed } };
    const trained = Array.from({ length: 30 * fresh.grpo.promptsPerStep }, (_, i) => taskFor(fresh, i).prompt);
    const tasks = heldOutTasks(same);
    expect(tasks).toHaveLength(8);
    expect(tasks.some((t) => trained.includes(t.prompt))).toBe(false);
    expect(tasks[0].prompt).not.toBe(taskFor(fresh, 0).prompt); // the same seed's first draws were skipped
  });

  it('is empty when evaluation is off', () => {
    expect(heldOutTasks(loadRunConfig(['--eval.tasks', '0']))).toEqual([]);
    expect(heldOutTasks(loadRunConfig([]))).toHaveLength(12); // the embedded default evaluates 12
  });
});

describe('formatEvalComparison', () => {
  const rec = (correct: boolean, policyTokens: number, structural = 1) => ({
    taskId: String(policyTokens),
    kind: 'k',
    domain: 'DOMAIN_ARITHMETIC',
    difficulty: 1,
    mode: 'MODE_REFLECTION' as const,
    sample: 0,
    correct,
    answer: null,
    expected: '',
    verdict: '',
    structural,
    policyTokens,
    totalTokens: policyTokens,
    finishReason: 'stop',
    text: '',
  });

  it('shows the initial and final figures side by side', () => {
    const initial = summarize([rec(false, 80, 0), rec(true, 60, 0.5)]);
    const final = summarize([rec(true, 40), rec(true, 50)]);
    expect(formatEvalComparison({ initial, final })).toEqual({
      'held-out accuracy (2 tasks)': '50.0% ± 50.0% → 100.0% ± 0.0%',
      'held-out tokens per solution': '70.0 → 45.0',
      'held-out structural reward': '0.25 → 1.00',
    });
    expect(formatEvalComparison({ initial })['held-out tokens per solution']).toBe('70.0 → –');
    expect(formatEvalComparison({})).toEqual({});
  });
});
