// Small, valid work messages for tests: a rollout request, a group of two samples
// (one agentic with an observation span) and its scored form.
import type { RolloutGroup, RolloutRequest, ScoredGroup, Task } from '@datarus/contracts';

export const task: Task = {
  id: '7-0-arithmetic.add',
  domain: 'DOMAIN_ARITHMETIC',
  difficulty: 1,
  modes: ['MODE_REFLECTION'],
  prompt: 'What is 2 + 3?',
  files: [],
  answer: { number: 5, unit: '', relTolerance: 0, value: 'number' },
  references: [],
  kind: 'arithmetic.add',
};

export function rolloutRequest(groupId: string): RolloutRequest {
  return {
    groupId,
    task,
    mode: 'MODE_REFLECTION',
    minPolicyVersion: 2,
    groupSize: 2,
    sampling: { temperature: 0.7, topP: 0.95, topK: 0, maxNewTokens: 64, stop: ['</answer>'] },
    seed: '42',
    step: 3,
  };
}

export function rolloutGroup(groupId: string): RolloutGroup {
  return {
    groupId,
    taskId: task.id,
    policyVersion: 2,
    mode: 'MODE_REFLECTION',
    promptTokenIds: [1, 15, 27, 9],
    samples: [
      {
        completionTokenIds: [5, 6, 7],
        behaviourLogprobs: [-0.25, -1.5, -0.125],
        lossMask: [true, true, true],
        finishReason: 'FINISH_REASON_STOP',
        completionText: '<think>2+3</think><answer>5</answer>',
        observationSpans: [],
      },
      {
        completionTokenIds: [8, 9, 10, 11],
        behaviourLogprobs: [-0.5, 0, 0, -2],
        lossMask: [true, false, false, true],
        finishReason: 'FINISH_REASON_LENGTH',
        completionText: 'x<observation>5</observation>y',
        observationSpans: [{ start: 1, end: 29 }],
      },
    ],
    timing: { startedUnixMs: '1760000000000', weightsMs: 0, prefillMs: 3.5, decodeMs: 20, toolMs: 1, totalMs: 25 },
    task,
    worker: 'rollout-0',
    seed: '42',
  };
}

export function scoredGroup(groupId: string): ScoredGroup {
  return {
    group: rolloutGroup(groupId),
    scores: [
      { reward: 0.9, hasReward: true, step: 3, wStruct: 0.6, wSem: 0.4, components: [{ name: 'hrm', value: 0.85 }], missing: {} },
      { reward: 0, hasReward: false, step: 3, wStruct: 0.6, wSem: 0.4, components: [], missing: { hrm: { reason: 'timeout', code: 'E_WORKER_TIMEOUT' } } },
    ],
    weights: { wStruct: 0.6, wSem: 0.4 },
    step: 3,
    totalSteps: 100,
  };
}

/** Resolves when `cond` holds, polling; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when the async `cond` holds, polling; rejects after `ms`. */
export async function eventually(cond: () => Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
