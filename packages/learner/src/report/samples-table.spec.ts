import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLastStepCompletions, type CompletionRow } from '../completion-log.js';
import { appendJsonLines } from './metrics-file.js';
import { MAX_TEXT_CHARS, samplesSection } from './samples-table.js';

const row = (step: number, sample: number, reward: number | null, text: string): CompletionRow => ({
  step,
  groupId: `g${step}`,
  taskId: `t${step}`,
  kind: 'finance.growth',
  sample,
  policyVersion: step - 1,
  reward,
  advantage: reward === null ? 0 : reward - 0.5,
  components: { structural: 1, w_struct: 0.7 },
  missing: reward === null ? { hrm: 'timed out' } : {},
  policyTokens: 40 + sample,
  finishReason: 'stop',
  text,
});

describe('samplesSection', () => {
  it('lists the samples highest reward first, escaped, with missing rewards last', () => {
    const html = samplesSection([row(5, 0, 0.2, 'low'), row(5, 1, null, 'none'), row(5, 2, 0.9, '<think>high</think>')]);
    expect(html).toContain('Samples of step 5');
    const order = ['&lt;think&gt;high&lt;/think&gt;', '>low<', '>none<'].map((t) => html.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).not.toContain('<think>');
    expect(html).toContain('no score from hrm: timed out');
    expect(html).toContain('structural 1');
    expect(html).not.toContain('w_struct');
  });

  it('cuts long texts with a marker, and is empty without rows', () => {
    const html = samplesSection([row(1, 0, 1, 'x'.repeat(MAX_TEXT_CHARS + 50))]);
    expect(html).toContain('[… 50 more characters]');
    expect(html).not.toContain('x'.repeat(MAX_TEXT_CHARS + 1));
    expect(samplesSection([])).toBe('');
  });
});

describe('readLastStepCompletions', () => {
  it('returns the rows of the last step, from the tail of the file, skipping torn lines', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'completions-')), 'completions.jsonl');
    expect(readLastStepCompletions(path)).toEqual([]);
    for (let s = 1; s <= 30; s++) appendJsonLines(path, [row(s, 0, 0.5, 'y'.repeat(200)), row(s, 1, 0.1, 'z')]);
    const last = readLastStepCompletions(path);
    expect(last.map((r) => [r.step, r.sample])).toEqual([[30, 0], [30, 1]]);
    // a tail that starts mid-line still parses the whole lines after it
    expect(readLastStepCompletions(path, 700).map((r) => r.step)).toEqual([30, 30]);
    writeFileSync(path, `${JSON.stringify(row(2, 0, 1, 'a'))}\n{"step": 3, "text": "torn`);
    expect(readLastStepCompletions(path).map((r) => r.step)).toEqual([2]);
  });
});
