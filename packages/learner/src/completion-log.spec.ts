import { describe, expect, it } from 'vitest';
import type { ScoredGroup } from '@datarus/contracts';
import { completionRows } from './completion-log.js';

function group(id: string, texts: string[], rewards: (number | null)[]): ScoredGroup {
  return {
    group: {
      groupId: id,
      taskId: `${id}-task`,
      policyVersion: 3,
      mode: 'MODE_REFLECTION',
      promptTokenIds: [1, 2],
      samples: texts.map((text, i) => ({
        completionTokenIds: [5, 6, 7],
        behaviourLogprobs: [-1, 0, -1],
        lossMask: [true, i === 0 ? false : true, true],
        finishReason: i === 0 ? 'FINISH_REASON_LENGTH' : 'FINISH_REASON_STOP',
        completionText: text,
        observationSpans: [],
      })),
      task: { id: `${id}-task`, domain: 'DOMAIN_ARITHMETIC', difficulty: 1, modes: [], prompt: 'p', files: [], references: [], kind: 'arithmetic.expression' },
      worker: 'w',
      seed: '0',
      step: 2,
    },
    scores: rewards.map((r) => ({
      reward: r ?? 0,
      hasReward: r !== null,
      step: 2,
      wStruct: 0.7,
      wSem: 0.3,
      components: r === null ? [] : [{ name: 'structural', value: r }],
      missing: r === null ? { hrm: { reason: 'timed out after 10000 ms', code: 'E_TIMEOUT' } } : {},
    })),
    step: 2,
    totalSteps: 10,
  };
}

describe('completionRows', () => {
  it('gives each sample its own text, reward, components and advantage, in batch order', () => {
    const rows = completionRows(3, [group('a', ['x', 'y'], [0.25, null]), group('b', ['z', 'w'], [1, 0])], [0.5, 0, 0.7, -0.7]);
    expect(rows.map((r) => [r.groupId, r.sample, r.text, r.advantage])).toEqual([
      ['a', 0, 'x', 0.5],
      ['a', 1, 'y', 0],
      ['b', 0, 'z', 0.7],
      ['b', 1, 'w', -0.7],
    ]);
    expect(rows[0]).toMatchObject({ step: 3, taskId: 'a-task', kind: 'arithmetic.expression', policyVersion: 3, reward: 0.25, policyTokens: 2, finishReason: 'length' });
    expect(rows[0].components).toEqual({ structural: 0.25 });
    expect(rows[1]).toMatchObject({ reward: null, missing: { hrm: 'timed out after 10000 ms' }, policyTokens: 3, finishReason: 'stop' });
    // a row survives JSON (what completions.jsonl holds)
    expect(JSON.parse(JSON.stringify(rows[1]))).toEqual(rows[1]);
  });

  it('refuses advantages that do not match the samples', () => {
    expect(() => completionRows(1, [group('a', ['x', 'y'], [0, 1])], [0.1])).toThrow(/2 samples but 1 advantages/);
  });
});
