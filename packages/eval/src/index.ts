// @datarus/eval: accuracy and tokens per solution of a model on tasks with known answers.
export { passAtK } from './pass-at-k.js';
export { scoreSample, expectedText } from './eval-record.js';
export { summarize, formatSummary, formatPercent } from './eval-summary.js';
export { evaluateTasks, tasksFor, canPose, EvalOptions } from './evaluate.js';

export type { EvalRecord, SampleOutcome } from './eval-record.js';
export type { EvalSummary, EvalSlice } from './eval-summary.js';
export type { EvaluateHooks } from './evaluate.js';
