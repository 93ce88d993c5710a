// Evaluating a model on tasks: each task posed as in training (datagen's prompts,
// the engine's chat template), its samples generated as the rollout worker
// generates them (reflection: one shared prefill, stopped at </answer>; agentic:
// the ReAct loop with code run in the sandbox), and every sample scored against
// the task's ground truth. Greedy (temperature 0) by default, so a run repeats.
import { z } from 'zod';
import { AgenticConfig } from '@datarus/config';
import { DatarusError, ErrorCode, finishReasonName, type Mode, type RolloutRequest, type Task } from '@datarus/contracts';
import { poseTask } from '@datarus/datagen';
import type { Engine } from '@datarus/engine';
import { agenticSampler, reflectionSamples } from '@datarus/rollout';
import { scoreSample, type EvalRecord } from './eval-record.js';

export const EvalOptions = z
  .object({
    mode: z.enum(['MODE_REFLECTION', 'MODE_AGENTIC']).default('MODE_REFLECTION'),
    /** Samples per task; pass@k is reported for k up to it. */
    samples: z.number().int().min(1).max(1024).default(1),
    /** 0 = greedy. Use > 0 with samples > 1, or every sample is the same. */
    temperature: z.number().min(0).default(0),
    topP: z.number().gt(0).max(1).default(1),
    topK: z.number().int().min(0).default(0),
    /** Model-written tokens per sample (agentic: observations included, as in training). */
    maxNewTokens: z.number().int().min(1).default(512),
    /** Task i's samples use seeds seed + i·samples, … (only matters when temperature > 0). */
    seed: z.number().int().min(0).default(0),
    /** Samples decoded together. */
    microBatch: z.number().int().min(1).default(8),
    /** Agentic-mode limits (tool calls, cell timeout, sandbox memory). */
    agentic: AgenticConfig.default(() => AgenticConfig.parse({})),
  })
  .strict();
export type EvalOptions = z.infer<typeof EvalOptions>;

/** Whether `task` can be posed in `mode` (a task that lists no modes can be posed in any). */
export const canPose = (task: Task, mode: Mode) => task.modes.length === 0 || task.modes.includes(mode);

/** The tasks of `tasks` that can be posed in `mode`. */
export function tasksFor(tasks: readonly Task[], mode: Mode): Task[] {
  return tasks.filter((t) => canPose(t, mode));
}

export interface EvaluateHooks {
  /** Called after each task with the number done so far. */
  onTask?: (done: number, records: readonly EvalRecord[]) => void;
  signal?: AbortSignal;
}

/** Generates and scores `options.samples` samples of every task, in order. */
export async function evaluateTasks(engine: Engine, tasks: readonly Task[], input: Partial<EvalOptions> = {}, hooks: EvaluateHooks = {}): Promise<EvalRecord[]> {
  const o = EvalOptions.parse(input);
  const agentic = o.mode === 'MODE_AGENTIC' ? agenticSampler(o.agentic, o.microBatch) : null;
  const unanswerable = tasks.find((t) => !t.answer);
  if (unanswerable) throw new DatarusError(ErrorCode.BadTask, `task ${unanswerable.id} has no ground truth`); // before any work
  const records: EvalRecord[] = [];
  for (const [i, task] of tasks.entries()) {
    if (hooks.signal?.aborted) throw new DatarusError(ErrorCode.Aborted, 'evaluation aborted');
    const request: RolloutRequest = {
      groupId: `eval:${task.id}`,
      task,
      mode: o.mode,
      minPolicyVersion: 0,
      groupSize: o.samples,
      sampling: { temperature: o.temperature, topP: o.topP, topK: o.topK, maxNewTokens: o.maxNewTokens, stop: [] },
      seed: String(o.seed + i * o.samples),
      step: 0,
    };
    const prompt = engine.chatPrompt(poseTask(task, o.mode));
    const group = agentic
      ? await agentic(engine, prompt, request, hooks.signal)
      : await reflectionSamples(engine, prompt, request, { microBatch: o.microBatch, signal: hooks.signal });
    group.samples.forEach((s, k) =>
      records.push(
        scoreSample(task, o.mode, k, {
          text: s.completionText,
          policyTokens: s.lossMask.filter(Boolean).length,
          totalTokens: s.completionTokenIds.length,
          finishReason: finishReasonName(s.finishReason),
          observationSpans: s.observationSpans,
        }),
      ),
    );
    hooks.onTask?.(i + 1, records);
  }
  return records;
}
