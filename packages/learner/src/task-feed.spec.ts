import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '@datarus/config';
import { groupIdOf, parseGroupId, requestFor } from './task-feed.js';

describe('task feed', () => {
  const config = loadRunConfig(['--run-id', 'demo', '--steps', '8']);

  it('is a pure function of the config: every rank and every restart makes the same requests', () => {
    expect(requestFor(config, 1, 3, 1)).toEqual(requestFor(config, 1, 3, 1));
    const r = requestFor(config, 2, 3, 1);
    expect(r.groupId).toBe('demo.2.3.1');
    expect(r.task?.kind).toMatch(/^(arithmetic\.expression|finance\.growth)$/);
    expect(r.minPolicyVersion).toBe(Math.max(0, 3 - config.maxOffPolicySteps));
    expect(r.groupSize).toBe(config.grpo.groupSize);
    expect(r.sampling?.stop).toEqual(['</answer>']);
  });

  it('gives every (step, index) its own task and seed, replacements included', () => {
    const fresh = loadRunConfig(['--run-id', 'demo', '--steps', '8', '--tasks.pool', '0']);
    const ids = new Set<string>();
    const seeds = new Set<string>();
    for (let s = 0; s < 8; s++)
      for (let i = 0; i < 4; i++) {
        const r = requestFor(fresh, 1, s, i);
        ids.add(r.task!.id);
        seeds.add(r.seed);
      }
    expect(ids.size).toBe(32);
    expect(seeds.size).toBe(32);
  });

  it('cycles over a fixed pool of tasks, with a new seed each time', () => {
    const pooled = loadRunConfig(['--tasks.pool', '4', '--grpo.prompts-per-step', '2']);
    expect(requestFor(pooled, 1, 2, 1).task).toEqual(requestFor(pooled, 1, 0, 1).task);
    expect(requestFor(pooled, 1, 1, 0).task).not.toEqual(requestFor(pooled, 1, 0, 0).task);
    expect(requestFor(pooled, 1, 2, 1).seed).not.toBe(requestFor(pooled, 1, 0, 1).seed);
  });

  it('round-trips group ids and rejects malformed ones', () => {
    expect(parseGroupId(groupIdOf('my-run', 3, 12, 0))).toEqual({ runId: 'my-run', incarnation: 3, step: 12, index: 0 });
    expect(parseGroupId('garbage')).toBeNull();
  });

  it('poses agentic tasks where the task has data files, in agentic mode', () => {
    const agentic = loadRunConfig(['--tasks.mode', 'agentic', '--tasks.kinds', 'statistics.dataset']);
    const r = requestFor(agentic, 1, 0, 0);
    expect(r.mode).toBe('MODE_AGENTIC');
    expect(r.sampling?.stop).toContain('</action_input>');
  });
});
