// @datarus/datagen: seeded synthetic tasks with ground truth and reference
// trajectories, and the `datarus datagen` command. The wire types and codecs (Task,
// its JSON and protobuf forms) live in @datarus/contracts.
export { generateTask, generateTasks } from './generate-tasks.js';
export { DatagenConfig } from './datagen-config.js';
export { taskGenerators, taskKindsByDomain } from './tasks/registry.js';
export { reflectionReference, agenticReference, tokenEstimate } from './trajectories.js';
export { taskToJsonLine, taskFromJsonLine, parseTasksJsonl } from './tasks-jsonl.js';
export { readTasksFile, readFlagFile, parseTasksText } from './tasks-file.js';
export { runDatagenCommand, datagenUsage } from './datagen-command.js';
export { Rng } from './rng.js';
export { progressBar } from './progress-bar.js';
export { answerText } from './format.js';

export type { TaskKind } from './tasks/registry.js';
export type { CommandIo } from './datagen-command.js';
export type { ProgressSink } from './progress-bar.js';
export type { TaskSpec, TaskGenerator, AgenticStep, ErrorVariant, ErrorKind, Difficulty } from './task-spec.js';
export { poseTask, referenceCompletion, REFLECTION_SYSTEM_PROMPT, AGENTIC_SYSTEM_PROMPT, STOP_STRINGS, MAX_INLINE_FILE_CHARS } from './prompts.js';
export type { ChatMessage } from './prompts.js';
