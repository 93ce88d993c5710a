import { describe, expect, it } from 'vitest';
import type { BlendedScore, RolloutGroup } from '@datarus/contracts';
import { growthTask, reflection } from '../rules/trajectories.fixture.js';
import { assembleScoredGroup, noRewardScore, policyTokenCount, scoreRequestsOf, SERVICE_MISSING_KEY } from './scored-group.js';
import { Limiter } from './limiter.js';

const group: RolloutGroup = {
  groupId: 'run:7:hand-growth',
  taskId: growthTask.id,
  policyVersion: 3,
  mode: 'MODE_AGENTIC',
  promptTokenIds: [1, 2],
  samples: [
    { completionTokenIds: [5, 6, 7], behaviourLogprobs: [-1, -1, -1], lossMask: [true, true, true], finishReason: 'FINISH_REASON_STOP', completionText: reflection.perfect, observationSpans: [] },
    {
      completionTokenIds: [8, 9, 10, 11, 12],
      behaviourLogprobs: [-1, 0, 0, -1, -1],
      lossMask: [true, false, false, true, true],
      finishReason: 'FINISH_REASON_LENGTH',
      completionText: 'a<observation>x</observation>b',
      observationSpans: [{ start: 1, end: 29 }],
    },
  ],
  task: growthTask,
  worker: 'rollout-0',
  seed: '1',
  step: 7,
};

const score = (reward: number): BlendedScore => ({ reward, hasReward: true, step: 7, wStruct: 0.6, wSem: 0.4, components: [], missing: {} });

describe('scored group assembly', () => {
  it('makes one request per sample with its policy tokens, spans, step and id', () => {
    const reqs = scoreRequestsOf(group, 50);
    expect(reqs.map((r) => r.requestId)).toEqual(['run:7:hand-growth/0', 'run:7:hand-growth/1']);
    expect(reqs.map((r) => r.completionTokens)).toEqual([3, 3]);
    expect(policyTokenCount(group.samples[1])).toBe(3);
    expect(reqs[1]).toMatchObject({ task: growthTask, trajectory: group.samples[1].completionText, mode: 'MODE_AGENTIC', step: 7, totalSteps: 50, observationSpans: [{ start: 1, end: 29 }] });
  });

  it('keeps the scores in sample order with the weights, step and total', () => {
    const s = assembleScoredGroup(group, [score(0.9), score(0.1)], { wStruct: 0.6, wSem: 0.4 }, 50);
    expect(s.scores.map((x) => x.reward)).toEqual([0.9, 0.1]);
    expect(s).toMatchObject({ group, weights: { wStruct: 0.6, wSem: 0.4 }, step: 7, totalSteps: 50 });
    expect(() => assembleScoredGroup(group, [score(1)], { wStruct: 0.6, wSem: 0.4 }, 50)).toThrow(/1 scores for 2 samples/);
  });

  it('marks a sample that could not be scored as having no reward', () => {
    const s = noRewardScore(7, { wStruct: 0.6, wSem: 0.4 }, 'E_INTERNAL', 'boom');
    expect(s).toMatchObject({ hasReward: false, reward: 0, step: 7, wStruct: 0.6 });
    expect(s.missing[SERVICE_MISSING_KEY]).toEqual({ code: 'E_INTERNAL', reason: 'boom' });
  });
});

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, all of them in the end', async () => {
    const limiter = new Limiter(3);
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          peak = Math.max(peak, limiter.running);
          await new Promise((r) => setTimeout(r, 1 + (i % 4)));
          if (i === 5) throw new Error('task 5');
          return i;
        }).catch(() => -1),
      ),
    );
    expect(peak).toBe(3);
    expect(done.filter((x) => x >= 0)).toHaveLength(19);
    expect(limiter.running).toBe(0);
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
