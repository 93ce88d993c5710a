// Public surface of @datarus/engine: the typed model API over the native addon.
export { Engine } from './engine.js';
export { Group } from './group.js';
export { nativeBinaryPath } from './native-binding.js';

export type { GenerateResult, ModelInfo, Tensor, TrainBatch, TrainStepResult } from './engine.js';
export type { GroupOptions, GroupResult, GroupSample } from './group.js';
export type { GenerateOptions, LoadOptions, OptimizerOptions, SamplingOptions } from './options.js';
export type {
  DistributedOptions,
  GrpoBatch,
  GrpoStepOptions,
  GrpoStepStats,
  GroupAdvantagesResult,
  ReferenceShard,
} from './grpo-types.js';
export { GIB, processMemory, resetPeakMemory, statusBytes } from './process-memory.js';
export type { ProcessMemory } from './process-memory.js';
