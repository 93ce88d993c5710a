// Contract checks a decoded work message must pass before a handler sees it
// (protobuf decodes many byte strings to *something*): a group id, and for
// groups, per-sample arrays of one length and one score per sample. A failure is
// a dead letter with E_BAD_MESSAGE, never a retry.
import type { MessageTypes, RolloutGroup, WorkStreamName } from '@datarus/contracts';
import type { StreamMessageType } from './publisher.js';

function checkGroup(g: RolloutGroup, at: string): string | null {
  if (!g.groupId) return `${at}groupId is empty`;
  for (let i = 0; i < g.samples.length; i++) {
    const s = g.samples[i];
    const n = s.completionTokenIds.length;
    if (s.behaviourLogprobs.length !== n || s.lossMask.length !== n) {
      return `${at}samples[${i}]: ${n} tokens but ${s.behaviourLogprobs.length} log-probs and ${s.lossMask.length} mask entries`;
    }
  }
  return null;
}

/** The first contract problem of `message`, or null. */
export function checkWorkMessage<S extends WorkStreamName>(stream: S, message: StreamMessageType<S>): string | null {
  switch (stream) {
    case 'TASKS': {
      const r = message as MessageTypes['datarus.v1.RolloutRequest'];
      if (!r.groupId) return 'groupId is empty';
      if (!r.task) return 'task is missing';
      return null;
    }
    case 'ROLLOUTS':
      return checkGroup(message as RolloutGroup, '');
    case 'SCORED': {
      const s = message as MessageTypes['datarus.v1.ScoredGroup'];
      if (!s.group) return 'group is missing';
      const p = checkGroup(s.group, 'group.');
      if (p) return p;
      if (s.scores.length !== s.group.samples.length) return `${s.scores.length} scores for ${s.group.samples.length} samples`;
      return null;
    }
    default:
      return `unknown stream ${String(stream)}`;
  }
}
