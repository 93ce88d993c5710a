import { describe, expect, it } from 'vitest';
import {
  assertSubjectToken,
  consumerName,
  dlqSubject,
  eventSubject,
  rewardQueueGroup,
  rewardWorkerSubject,
  rolloutsSubject,
  scoredSubject,
  streamSubject,
  streamSubjects,
  tasksSubject,
} from './subjects.js';

describe('subjects', () => {
  it('follow the grammar', () => {
    expect(tasksSubject()).toBe('datarus.v1.tasks');
    expect(rolloutsSubject()).toBe('datarus.v1.rollouts');
    expect(scoredSubject()).toBe('datarus.v1.scored');
    expect(streamSubject('ROLLOUTS')).toBe('datarus.v1.rollouts');
    expect(dlqSubject('SCORED')).toBe('datarus.v1.dlq.scored');
    expect(streamSubjects('DLQ')).toEqual(['datarus.v1.dlq.>']);
    expect(rewardWorkerSubject('hrm')).toBe('datarus.v1.reward.hrm');
    expect(rewardQueueGroup('hrm')).toBe('reward-hrm');
    expect(eventSubject('step')).toBe('datarus.v1.events.step');
    expect(consumerName('rollout-workers')).toBe('rollout-workers');
  });

  it.each(['', 'a.b', '*', '>', 'a b', 'tab\t', 'Upper', 'x'.repeat(65), 'new\nline'])('reject the token %j', (bad) => {
    expect(() => assertSubjectToken(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => rewardWorkerSubject(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => eventSubject(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => consumerName(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('reject a dead-letter subject for an unknown or DLQ stream', () => {
    expect(() => dlqSubject('DLQ' as never)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => streamSubject('NOPE' as never)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});
