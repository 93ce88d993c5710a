// @datarus/reward: the built-in reward rules (structural, HRM, answer verifier),
// the cosine curriculum, the reward service that blends worker scores, the worker
// SDK (NATS and gRPC), the `datarus reward score` command, the scoring pipeline
// (ROLLOUTS → SCORED) and the reward service and reward worker processes.
export { parseTags, contentOf, TAG_NAMES } from './rules/tag-parser.js';
export { viewTrajectory, extractAnswer } from './rules/trajectory-view.js';
export { structuralReward } from './rules/structural-reward.js';
export { findClaims, evaluateArithmetic, claimHolds } from './rules/arithmetic-claims.js';
export { verifyAnswer, parseAnswer, normalizeText, DEFAULT_REL_TOLERANCE } from './rules/answer-verifier.js';
export { hrmReward, HrmConfig } from './rules/hrm.js';
export { KnownNumbers, numbersOf, problemText } from './rules/claim-grounding.js';
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

export { rewardWorkerSubject, rewardQueueGroup, assertWorkerName, ENCODING_HEADER } from './subjects.js';
export { defineRewardWorker, runRewardWorker, toScoreResponse, noScoreResponse } from './sdk/reward-worker.js';
export { serveRewardWorker } from './sdk/serve-reward-worker.js';
export { serveNats } from './sdk/serve-nats.js';
export { serveGrpc } from './sdk/serve-grpc.js';
export { rewardServiceDefinition } from './sdk/grpc-definition.js';
export { encodeBody, decodeBody } from './sdk/wire.js';
export { structuralWorker, hrmWorker, verifierWorker, builtinWorkers, modeOf } from './workers/builtin-workers.js';
export { RewardService } from './service/reward-service.js';
export { RewardServiceConfig, WorkerEntry } from './service/reward-service-config.js';
export { localClient, natsClient, grpcClient, checkReply } from './service/worker-clients.js';

export type { WireEncoding } from './subjects.js';
export type { RewardWorker, ScoreFn, ScoreResult } from './sdk/reward-worker.js';
export type { ServeOptions, Serving } from './sdk/serve-reward-worker.js';
export type { NatsServing } from './sdk/serve-nats.js';
export type { GrpcServing } from './sdk/serve-grpc.js';
export type { RewardServiceDeps } from './service/reward-service.js';
export type { WorkerClient } from './service/worker-clients.js';
export { runRewardScoreCommand, rewardScoreUsage } from './reward-score-command.js';

export { startScoringPipeline, REWARD_SERVICE_DURABLE } from './pipeline/scoring-pipeline.js';
export { scoreRequestsOf, assembleScoredGroup, noRewardScore, policyTokenCount, sampleRequestId, SERVICE_MISSING_KEY } from './pipeline/scored-group.js';
export { Limiter } from './pipeline/limiter.js';
export { runRewardServiceProcess, rewardServiceUsage } from './bin/reward-service-main.js';
export { runRewardWorkerProcess, rewardWorkerUsage, pickBuiltinWorkers, grpcAddressFor } from './bin/reward-worker-main.js';

export type { ScoringPipeline, ScoringPipelineOptions, ScoringPipelineStats } from './pipeline/scoring-pipeline.js';
export type { ProcessIo, ProcessOptions } from './bin/process-support.js';
