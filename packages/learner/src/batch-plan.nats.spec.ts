import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { startNatsServer, type NatsServerHandle } from '../../../test/support/nats-server.js';
import { BatchPlanServer, fetchBatchPlan, shareOf } from './batch-plan.js';

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
});
