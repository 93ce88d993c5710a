import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../../test/support/temp-dir.js';
import type { StepMetrics } from '../step-metrics.js';
import { appendMetrics, readMetrics } from './metrics-file.js';

const dir = suiteTempDir('metrics');

/** A row with every field; only `step` and `reward` vary. */
const row = (step: number, reward = 0.5): StepMetrics =>
  ({ step, time: 1.7e12 + step * 1000, elapsed: step, reward, rewardStd: 0.1, rewardStderr: 0.05, components: { structural: 0.9 }, accuracy: 0.25 }) as StepMetrics;

describe('metrics.jsonl', () => {
  it('round-trips rows, NaN included, creating the directory', () => {
    const path = join(dir(), 'a', 'b', 'metrics.jsonl');
    appendMetrics(path, row(1));
    appendMetrics(path, row(2, NaN));
    appendMetrics(path, row(3, 0.75));
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4); // three lines and the final newline
    const back = readMetrics(path);
    expect(back.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(back[0]).toEqual(row(1));
    expect(Number.isNaN(back[1].reward)).toBe(true);
    expect(back[2].components).toEqual({ structural: 0.9 });
  });

  it('skips a torn last line', () => {
    const path = join(dir(), 'torn.jsonl');
    writeFileSync(path, `${JSON.stringify(row(1))}\n${JSON.stringify(row(2))}\n{"step":3,"time":17000`);
    const skipped: number[] = [];
    const back = readMetrics(path, { onSkip: (line) => skipped.push(line) });
    expect(back.map((r) => r.step)).toEqual([1, 2]);
    expect(skipped).toEqual([3]);
  });

  it('ends a torn line before appending after a crash', () => {
    const path = join(dir(), 'resumed.jsonl');
    writeFileSync(path, `${JSON.stringify(row(1))}\n{"step":2,"rew`);
    appendMetrics(path, row(2));
    appendMetrics(path, row(3));
    const skipped: string[] = [];
    const back = readMetrics(path, { onSkip: (_, text) => skipped.push(text) });
    expect(back.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(skipped).toEqual(['{"step":2,"rew']);
  });

  it('keeps the last row of a repeated step, in step order', () => {
    const path = join(dir(), 'repeat.jsonl');
    for (const r of [row(1), row(2, 0.1), row(3), row(2, 0.9)]) appendFileSync(path, `${JSON.stringify(r)}\n`);
    appendFileSync(path, '[1,2]\n"text"\n{"no":"step"}\n');
    const back = readMetrics(path);
    expect(back.map((r) => [r.step, r.reward])).toEqual([
      [1, 0.5],
      [2, 0.9],
      [3, 0.5],
    ]);
  });

  it('reads a missing file as no rows', () => {
    expect(readMetrics(join(dir(), 'none.jsonl'))).toEqual([]);
  });
});
