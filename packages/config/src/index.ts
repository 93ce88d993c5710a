// @datarus/config: the typed, documented configuration of a training run, shared
// by every process of it, with the laptop defaults and command-line overrides.
export { RunConfig, TasksConfig, SamplingConfig, SftConfig, EvalConfig, AgenticConfig, RolloutConfig, RewardConfig, LearnerConfig } from './run-config.js';
export { CurriculumConfig, WorkerEntry, RewardServiceConfig } from './reward-config.js';
export { LAPTOP_DEFAULTS } from './defaults.js';
export { parseOverrides } from './overrides.js';
export { loadRunConfig, validateRunConfig, readConfigFile } from './load-config.js';
export { deepMerge } from './merge.js';

export type { RunConfigInput } from './run-config.js';
