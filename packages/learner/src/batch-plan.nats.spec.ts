import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { startNatsServer, type NatsServerHandle } from '../../../test/support/nats-server.js';
import { Engine } from '@datarus/engine';
import { BatchPlanServer, fetchBatchPlan, shareAdvantages, shareOf } from './batch-plan.js';

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
    const plans = new BatchPlanServer(nc, 'run');
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
