// From a RolloutGroup to the ScoreRequests of its samples, and from their scores
// to the ScoredGroup the learner consumes (pure). One request per sample, in
// sample order; a sample's policy tokens are the tokens its loss mask trains on
// (observations the harness appended are not the policy's and are not counted).
import {
  ErrorCode,
  type BlendedScore,
  type CurriculumWeights,
  type RolloutGroup,
  type RolloutSample,
  type ScoreRequest,
  type ScoredGroup,
} from '@datarus/contracts';

/** Name under which a score that the service itself could not produce lists its reason. */
export const SERVICE_MISSING_KEY = 'reward-service';

/** Tokens of the sample the policy produced: the true entries of its loss mask. */
export function policyTokenCount(sample: RolloutSample): number {
  let n = 0;
  for (const m of sample.lossMask) if (m) n++;
  return n;
}

/** The request id of sample `index` of a group: "<group id>/<index>". */
export function sampleRequestId(groupId: string, index: number): string {
  return `${groupId}/${index}`;
}

/** One ScoreRequest per sample of `group`, in sample order, for the curriculum at group.step of `totalSteps`. */
export function scoreRequestsOf(group: RolloutGroup, totalSteps: number): ScoreRequest[] {
  return group.samples.map((sample, i) => ({
    task: group.task,
    trajectory: sample.completionText,
    mode: group.mode,
    completionTokens: policyTokenCount(sample),
    referenceTokens: 0,
    step: group.step,
    totalSteps,
    observationSpans: sample.observationSpans,
    requestId: sampleRequestId(group.groupId, i),
  }));
}

/** A score with no reward: what a sample gets when scoring it failed outright. */
export function noRewardScore(step: number, weights: CurriculumWeights, code: string, reason: string): BlendedScore {
  return {
    reward: 0,
    hasReward: false,
    step,
    wStruct: weights.wStruct,
    wSem: weights.wSem,
    components: [],
    missing: { [SERVICE_MISSING_KEY]: { code: code || ErrorCode.Internal, reason } },
  };
}

/** The ScoredGroup of `group`: `scores` in sample order, the curriculum weights at group.step. */
export function assembleScoredGroup(group: RolloutGroup, scores: BlendedScore[], weights: CurriculumWeights, totalSteps: number): ScoredGroup {
  if (scores.length !== group.samples.length) {
    throw new Error(`group ${group.groupId}: ${scores.length} scores for ${group.samples.length} samples`);
  }
  return {
    group,
    scores,
    weights: { wStruct: weights.wStruct, wSem: weights.wSem },
    step: group.step,
    totalSteps,
  };
}
