import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { generateTask, taskToJsonLine } from '@datarus/datagen';
import { runRewardScoreCommand } from './reward-score-command.js';
import { agenticCases, growthTask, meanTask, reflection } from './rules/trajectories.fixture.js';

const dir = suiteTempDir('reward-score');

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

const file = (name: string, text: string) => {
  const p = join(dir(), name);
  writeFileSync(p, text);
  return p;
};

describe('datarus reward score', () => {
  it('prints every component as JSON', async () => {
    const task = file('growth.json', JSON.stringify(growthTask, null, 2));
    const completion = file('slip.txt', reflection.arithmeticSlip);
    const c = capture();
    expect(await runRewardScoreCommand(['score', '--task', task, '--completion', completion, '--step', '500', '--total-steps', '1000', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out());
    expect(r.mode).toBe('MODE_REFLECTION');
    expect(r.weights.wStruct).toBeCloseTo(0.4, 12);
    expect(r.components.structural).toBe(1);
    expect(r.components['structural.think_then_answer']).toBe(1);
    expect(r.components['hrm.steps']).toBeCloseTo(2 / 3, 12);
    expect(r.components['hrm.correct']).toBe(1);
    expect(r.hrmStepScores).toEqual([1, 0, 1]);
    expect(r.verifier.correct).toBe(true);
    expect(r.reward).toBeCloseTo(0.4 + 0.6 * r.components.hrm, 12);
    expect(r.notes.hrm.join()).toContain('30 / 120');
  });

  it('picks a task from JSONL by id and infers the agentic mode', async () => {
    const tasks = file('tasks.jsonl', [generateTask(1, 0), meanTask, generateTask(1, 1)].map(taskToJsonLine).join('\n') + '\n');
    const completion = file('agentic.txt', agenticCases.selfCorrection.text);
    const c = capture();
    expect(await runRewardScoreCommand(['--task', tasks, '--task-id', 'hand-mean', '--completion', completion, '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out());
    expect(r.task).toBe('hand-mean');
    expect(r.mode).toBe('MODE_AGENTIC');
    expect(r.hrmStepScores).toEqual([1, 0.5, 1]);
  });

  it('prints a readable table without --json', async () => {
    const c = capture();
    await runRewardScoreCommand(['--task', file('g2.json', JSON.stringify(growthTask)), '--completion', file('m.txt', reflection.misnested)], c.io);
    expect(c.out()).toMatch(/reward 0\.\d{4}/);
    expect(c.out()).toContain('note: <answer> inside <think>');
    expect(c.out()).toContain('verifier: correct');
  });

  it('names the bad flag or file', async () => {
    const c = capture();
    expect(await runRewardScoreCommand(['--completion', 'x'], c.io)).toBe(2);
    expect(c.err()).toContain('--task: required');
    expect(await runRewardScoreCommand(['--task', 'a', '--completion', 'b', '--step', '-3'], c.io)).toBe(2);
    expect(c.err()).toContain('--step');
    expect(await runRewardScoreCommand(['--task', join(dir(), 'nope.json'), '--completion', 'b'], c.io)).toBe(1);
    expect(c.err()).toContain('E_FILE_NOT_FOUND');
    expect(await runRewardScoreCommand(['--task', file('bad.json', '{"domain": 7,'), '--completion', file('x.txt', 'x')], c.io)).toBe(1);
    expect(c.err()).toContain('E_BAD_TASK');
  });
});
