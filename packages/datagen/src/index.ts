// @datarus/datagen: seeded synthetic tasks with ground truth and reference
// trajectories, the `datarus datagen` command, and (until they move to contracts)
// the TypeScript types and codecs generated from proto/.
export { generateTask, generateTasks } from './generate-tasks.js';
export { DatagenConfig } from './datagen-config.js';
export { taskGenerators, taskKindsByDomain } from './tasks/registry.js';
export { reflectionReference, agenticReference, tokenEstimate } from './trajectories.js';
export { taskToJsonLine, taskFromJsonLine, parseTasksJsonl } from './tasks-jsonl.js';
export { runDatagenCommand, datagenUsage } from './datagen-command.js';
export { Rng } from './rng.js';
export { answerText } from './format.js';
export {
  encodeMessage,
  decodeMessage,
  messageToJson,
  messageFromJson,
  normalizeMessage,
  grpcMethodPath,
} from './wire/codec.js';
export { Domain, Mode, RewardServiceMethods, descriptorJson } from './wire/generated.js';

export type { TaskKind } from './tasks/registry.js';
export type { CommandIo } from './datagen-command.js';
export type { TaskSpec, TaskGenerator, AgenticStep, ErrorVariant, ErrorKind, Difficulty } from './task-spec.js';
export type {
  Task,
  Answer,
  DataFile,
  StepLabel,
  ReferenceTrajectory,
  ScoreRequest,
  ScoreResponse,
  SubScore,
  NoScore,
  Span,
  BlendedScore,
  MessageTypes,
  MessageName,
} from './wire/generated.js';
