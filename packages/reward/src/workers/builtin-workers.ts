// The built-in reward workers: structural (tags), hrm (steps + trajectory) and
// verifier (final answer only). Each is an ordinary RewardWorker, served like any
// user-written one.
import { ErrorCode, type Mode, type ScoreRequest } from '@datarus/contracts';
import { verifyAnswer } from '../rules/answer-verifier.js';
import { problemText } from '../rules/claim-grounding.js';
import { hrmReward, type HrmConfig } from '../rules/hrm.js';
import { structuralReward } from '../rules/structural-reward.js';
import { extractAnswer } from '../rules/trajectory-view.js';
import { defineRewardWorker, type RewardWorker } from '../sdk/reward-worker.js';

/** The request's mode, or (when unspecified) agentic if the text has agentic tags. */
export function modeOf(req: ScoreRequest): Mode {
  if (req.mode === 'MODE_REFLECTION' || req.mode === 'MODE_AGENTIC') return req.mode;
  return req.trajectory.includes('<step>') || req.trajectory.includes('<stop_analysis>') ? 'MODE_AGENTIC' : 'MODE_REFLECTION';
}

function referenceTokens(req: ScoreRequest, mode: Mode): number {
  if (req.referenceTokens > 0) return req.referenceTokens;
  return req.task?.references.find((r) => r.mode === mode)?.tokenEstimate ?? 0;
}

export const structuralWorker: RewardWorker = defineRewardWorker('structural', (req) => {
  const s = structuralReward(req.trajectory, modeOf(req), req.observationSpans);
  return { score: s.score, components: s.components };
});

export function hrmWorker(config: Partial<HrmConfig> = {}): RewardWorker {
  return defineRewardWorker('hrm', (req) => {
    if (!req.task?.answer) return { noScore: 'task has no ground truth', code: ErrorCode.BadTask };
    const mode = modeOf(req);
    const s = hrmReward(
      {
        text: req.trajectory,
        mode,
        answer: req.task.answer,
        completionTokens: req.completionTokens,
        referenceTokens: referenceTokens(req, mode),
        problem: problemText(req.task),
        observationSpans: req.observationSpans,
      },
      config,
    );
    return { score: s.score, components: s.components };
  });
}

export const verifierWorker: RewardWorker = defineRewardWorker('verifier', (req) => {
  if (!req.task?.answer) return { noScore: 'task has no ground truth', code: ErrorCode.BadTask };
  return verifyAnswer(extractAnswer(req.trajectory), req.task.answer).correct ? 1 : 0;
});

export const builtinWorkers = (): RewardWorker[] => [structuralWorker, hrmWorker(), verifierWorker];
