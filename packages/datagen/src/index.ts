// @datarus/datagen: seeded synthetic tasks with ground truth and reference
// trajectories, and the `datarus datagen` command. The wire types and codecs live in
// @datarus/contracts; they are re-exported here for existing callers.
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
  Domain,
  Mode,
  RewardServiceMethods,
  descriptorJson,
} from '@datarus/contracts';

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
} from '@datarus/contracts';
