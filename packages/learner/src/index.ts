// @datarus/learner: the learner process — the GRPO training loop over scored
// groups, policy publishing, checkpoints, the supervised warm-up, the embedded
// default (local NATS + child processes), metrics and the HTML report.
export { Learner, learnerDurable } from './learner.js';
export { buildBatch, meanStderr, CORRECTNESS_COMPONENTS } from './grpo-batch.js';
export { GroupInbox } from './group-inbox.js';
export { requestFor, taskFor, groupIdOf, parseGroupId } from './task-feed.js';
export { PolicyPublisher, policyTensors } from './policy-publisher.js';
export { saveCheckpoint, restoreLatest, listCheckpoints, checkpointDir } from './checkpoints.js';
export { runSftWarmup, sftBatch } from './sft-warmup.js';
export { runTraining, embeddedChildren, writeReport } from './run-training.js';
export { startLocalNats, freePort, canConnect, natsServerBinary } from './embedded/local-nats.js';
export { Children } from './embedded/children.js';
export { Progress, progressLine, duration } from './progress.js';
export { prepareRunDir, runPaths, defaultRunDir } from './run-dir.js';
export { main } from './main.js';
export { stepShares, sharesTable } from './loop-shares.js';
export * from './report/index.js';

export type { LearnerOptions } from './learner.js';
export type { BatchInput } from './grpo-batch.js';
export type { LearnerState } from './checkpoints.js';
export type { ChildSpec } from './embedded/children.js';
export type { LocalNats } from './embedded/local-nats.js';
export type { StepMetrics } from './step-metrics.js';
export type { TrainResult } from './run-training.js';
export type { StepShares } from './loop-shares.js';
