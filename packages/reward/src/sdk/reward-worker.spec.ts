import { describe, expect, it } from 'vitest';
import type { ScoreRequest } from '@datarus/contracts';
import { defineRewardWorker, runRewardWorker, toScoreResponse } from './reward-worker.js';
import { localClient } from '../service/worker-clients.js';
import { rewardQueueGroup, rewardWorkerSubject } from '../subjects.js';

const req = { trajectory: 'x' } as ScoreRequest;

describe('reward worker SDK', () => {
  it('accepts a number, a score with components, or a no-score', () => {
    expect(toScoreResponse('w', 0.5)).toMatchObject({ result: 'score', score: 0.5 });
    expect(toScoreResponse('w', { score: 1, components: { a: 0.5 } }).components).toEqual([{ name: 'a', value: 0.5 }]);
    expect(toScoreResponse('w', { noScore: 'no task', code: 'E_BAD_TASK' }).noScore).toEqual({ reason: 'no task', code: 'E_BAD_TASK' });
  });
  it('turns garbage into E_BAD_MESSAGE and a throw into E_WORKER_FAILED', async () => {
    for (const g of [NaN, -0.1, 1.01, Infinity, 'high', null, undefined, [], { score: '1' }, { score: 1, components: { a: NaN } }]) {
      expect(toScoreResponse('w', g).noScore?.code).toBe('E_BAD_MESSAGE');
    }
    const r = await runRewardWorker(defineRewardWorker('w', () => { throw new TypeError('bad'); }), req);
    expect(r.noScore).toEqual({ code: 'E_WORKER_FAILED', reason: 'worker threw: bad' });
  });
  it('times out an in-process worker that never settles', async () => {
    const r = await localClient(defineRewardWorker('slow', () => new Promise<number>(() => {}))).score(req, 50);
    expect(r.noScore?.code).toBe('E_WORKER_TIMEOUT');
  });
  it('builds subjects only from valid worker names', () => {
    expect(rewardWorkerSubject('hrm')).toBe('datarus.v1.reward.hrm');
    expect(rewardQueueGroup('hrm')).toBe('reward-hrm');
    for (const bad of ['', 'a.b', 'a*', '>', 'A', 'x'.repeat(65)]) expect(() => rewardWorkerSubject(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});
