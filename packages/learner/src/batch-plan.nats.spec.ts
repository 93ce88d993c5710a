import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { startNatsServer, type NatsServerHandle } from '../../../test/support/nats-server.js';
import { Engine } from '@datarus/engine';
import { ErrorCode } from '@datarus/contracts';
import { BatchPlanServer, fetchBatchPlan, planReply, shareAdvantages, shareOf, type BatchPlan } from './batch-plan.js';

describe('batch plans between learner ranks (real nats-server)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('a follower waits until rank 0 has decided the step, then gets its groups in order', async () => {
    const plans = new BatchPlanServer(nc, 'run', 3);
    const pending = fetchBatchPlan(nc, 'run', 3, undefined, 20);
    await new Promise((r) => setTimeout(r, 100));
    plans.record({ step: 3, incarnation: 2, groupIds: ['run.2.3.1', 'run.2.3.0'] });
    expect(await pending).toEqual({ step: 3, incarnation: 2, groupIds: ['run.2.3.1', 'run.2.3.0'] });
    // garbage requests get an answer that is not a plan, and the server keeps serving
    const junk = await nc.request('datarus.v1.events.batch-run', new Uint8Array([1, 2, 3]), { timeout: 1000 });
    expect(new TextDecoder().decode(junk.data)).toContain('pending');
    expect((await fetchBatchPlan(nc, 'run', 3)).groupIds).toHaveLength(2);
    plans.close();
  });

  it('stops a rank that resumed at another step than rank 0 with E_RANK_MISMATCH, instead of waiting forever', async () => {
    const plans = new BatchPlanServer(nc, 'resumed', 5); // rank 0 resumed at step 5
    // a rank that started over (its own run directory had no checkpoint), and one ahead
    for (const step of [0, 7]) {
      await expect(fetchBatchPlan(nc, 'resumed', step, undefined, 20)).rejects.toMatchObject({
        code: ErrorCode.RankMismatch,
        message: expect.stringContaining(`this rank is at step ${step} but rank 0 is at step 5`),
      });
    }
    plans.record({ step: 5, incarnation: 1, groupIds: ['a'] });
    expect((await fetchBatchPlan(nc, 'resumed', 5)).groupIds).toEqual(['a']);
    plans.close();
  });

  it('answers the next step as pending and every other unplanned step as a mismatch', () => {
    const held = new Map<number, BatchPlan>([[4, { step: 4, incarnation: 0, groupIds: ['x'] }]]);
    expect(planReply(held, 4, 0, 4)).toEqual({ step: 4, incarnation: 0, groupIds: ['x'] });
    expect(planReply(held, 5, 0, 4)).toEqual({ step: 5, pending: true });
    expect(planReply(held, 6, 0, 4)).toEqual({ step: 6, mismatch: true, leaderStep: 5 });
    expect(planReply(held, 3, 0, 4)).toEqual({ step: 3, mismatch: true, leaderStep: 5 }); // no longer held
    expect(planReply(new Map(), 2, 2, -1)).toEqual({ step: 2, pending: true }); // resumed at 2, nothing planned yet
    expect(planReply(new Map(), 0, 2, -1)).toEqual({ step: 0, mismatch: true, leaderStep: 2 });
  });

  it('splits a step round-robin over the ranks', () => {
    expect(shareOf(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['a', 'c']);
    expect(shareOf(['a', 'b', 'c', 'd'], 1, 2)).toEqual(['b', 'd']);
    expect(shareOf(['a', 'b'], 0, 1)).toEqual(['a', 'b']);
  });

  it('gives each rank the advantages of its groups, computed over the whole batch', () => {
    const G = 2;
    const rewards = [0, 1, 5, 5, 2, 0, 1, 3];  // four groups of two
    const whole = Engine.groupAdvantages(rewards, G, { scaleRewards: 'batch' });
    const ranks = [0, 1].map((r) => shareAdvantages(whole.advantages, G, shareOf([0, 1, 2, 3], r, 2)));
    expect(Array.from(ranks[0])).toEqual([...whole.advantages.slice(0, 2), ...whole.advantages.slice(4, 6)]);
    expect(Array.from(ranks[1])).toEqual([...whole.advantages.slice(2, 4), ...whole.advantages.slice(6, 8)]);
    // what each rank would get from its own rewards alone differs under batch scaling
    const local = Engine.groupAdvantages([0, 1, 2, 0], G, { scaleRewards: 'batch' });
    expect(Math.abs(local.advantages[0] - ranks[0][0])).toBeGreaterThan(1e-3);
  });
});
