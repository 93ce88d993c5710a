// @datarus/reward: the built-in reward rules (structural, HRM, answer verifier),
// the cosine curriculum, the reward service that blends worker scores, the worker
// SDK (NATS and gRPC), and the `datarus reward score` command.
export { parseTags, contentOf, TAG_NAMES } from './rules/tag-parser.js';
export { viewTrajectory, extractAnswer } from './rules/trajectory-view.js';
export { structuralReward } from './rules/structural-reward.js';
export { findClaims, evaluateArithmetic, claimHolds } from './rules/arithmetic-claims.js';
export { verifyAnswer, parseAnswer, normalizeText, DEFAULT_REL_TOLERANCE } from './rules/answer-verifier.js';
export { hrmReward, HrmConfig } from './rules/hrm.js';
export { curriculumWeights, CurriculumConfig } from './rules/curriculum.js';
export { blendScores } from './service/blend.js';

export type { TagName, TagNode, ParseResult } from './rules/tag-parser.js';
export type { TrajectoryView, AgenticStepView } from './rules/trajectory-view.js';
export type { RuleScore } from './rules/structural-reward.js';
export type { Claim } from './rules/arithmetic-claims.js';
export type { Verdict, ParsedAnswer } from './rules/answer-verifier.js';
export type { HrmInput, HrmScore } from './rules/hrm.js';
export type { CurriculumWeights } from './rules/curriculum.js';
export type { WorkerOutcome, WorkerRole } from './service/blend.js';
