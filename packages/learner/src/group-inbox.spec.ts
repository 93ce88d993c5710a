import { describe, expect, it } from 'vitest';
import type { ScoredGroup } from '@datarus/contracts';
import { GroupInbox } from './group-inbox.js';

const sg = (id: string, version: number) => ({ group: { groupId: id, policyVersion: version } }) as unknown as ScoredGroup;

describe('GroupInbox', () => {
  it('hands out groups in arrival order, drops stale ones (acked, reported) and ignores other runs and incarnations', async () => {
    const inbox = new GroupInbox('run', 2);
    const acks: string[] = [];
    const deliver = (id: string, v: number) => inbox.deliver(sg(id, v), id).then(() => acks.push(id));
    void deliver('other.2.0.0', 5);
    void deliver('run.1.0.0', 5);
    void deliver('run.2.0.0', 0);
    void deliver('run.2.0.1', 3);
    void deliver('run.2.0.2', 4);
    const stale: string[] = [];
    const taken = await inbox.take(2, 3, (g) => stale.push(g.group!.groupId));
    expect(taken.map((t) => t.groupId)).toEqual(['run.2.0.1', 'run.2.0.2']);
    expect(stale).toEqual(['run.2.0.0']);
    expect(inbox.counters).toEqual({ foreign: 2, stale: 1, taken: 2 });
    await Promise.resolve();
    // trained groups stay unacked until the step settles them
    expect(acks.sort()).toEqual(['other.2.0.0', 'run.1.0.0', 'run.2.0.0']);
    taken.forEach((t) => t.settle());
    await new Promise((r) => setTimeout(r, 0));
    expect(acks).toContain('run.2.0.1');
  });

  it('waits for groups that have not arrived, and stops waiting when aborted', async () => {
    const inbox = new GroupInbox('run', 1);
    const pending = inbox.take(1, 0, () => {});
    setTimeout(() => void inbox.deliver(sg('run.1.4.0', 4), 'run.1.4.0'), 10);
    expect((await pending).map((t) => t.groupId)).toEqual(['run.1.4.0']);
    const ac = new AbortController();
    const waiting = inbox.take(1, 0, () => {}, ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('releaseAll rejects parked deliveries so that they are redelivered', async () => {
    const inbox = new GroupInbox('run', 1);
    const d = inbox.deliver(sg('run.1.0.0', 0), 'run.1.0.0');
    inbox.releaseAll(new Error('shutting down'));
    await expect(d).rejects.toThrow('shutting down');
  });

  it('a follower takes exactly the planned groups, whatever their incarnation, and drops unplanned ones of that step or earlier', async () => {
    const inbox = new GroupInbox('run', -1);
    const acked: string[] = [];
    const deliver = (id: string) => void inbox.deliver(sg(id, 1), id).then(() => acked.push(id));
    deliver('run.3.1.0');
    deliver('run.3.0.5');
    deliver('run.3.2.0');
    const pending = inbox.takeIds(['run.3.1.0', 'run.3.1.1'], 1);
    setTimeout(() => deliver('run.3.1.1'), 10);
    const taken = await pending;
    expect(taken.map((t) => t.groupId)).toEqual(['run.3.1.0', 'run.3.1.1']);
    await new Promise((r) => setTimeout(r, 0));
    // the unplanned group of step 0 is dropped; step 2's waits for its own plan
    expect(acked).toEqual(['run.3.0.5']);
    expect(inbox.size).toBe(1);
    // rank 0's incarnation, once known, drops the groups of any other
    deliver('run.2.5.0');
    inbox.adoptIncarnation(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(acked).toContain('run.2.5.0');
    expect(inbox.size).toBe(1);
  });
});
