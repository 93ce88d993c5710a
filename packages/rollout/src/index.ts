// @datarus/rollout: the rollout worker — policy sync with the learner, group
// sampling in both modes, and its process entry point.
export { RolloutWorker } from './rollout-worker.js';
export { PolicySync, toFloat32 } from './policy-sync.js';
export { reflectionSamples, sampleSeeds, completionText } from './rollout-samples.js';
export { runRolloutWorker, rolloutDurable, main } from './main.js';
export { agenticSampler } from './agentic-samples.js';
export * from './agentic/index.js';

export type { RolloutWorkerOptions } from './rollout-worker.js';
export type { SampledGroup, SampleOptions } from './rollout-samples.js';
export type { PolicySyncStats } from './policy-sync.js';
