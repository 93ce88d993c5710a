// The tasks of a run and the requests that carry them. Request i of step s is a
// pure function of the config, so every learner rank and every restart agrees on
// it: the task is the generator's task (tasks.seed, s · promptsPerStep + i, modulo
// tasks.pool when the run cycles over a fixed set) of a kind drawn from tasks.kinds, and the group id names the run, the learner's
// incarnation (bumped at each start, so groups sampled before a restart are told
// apart), the step and the index.
import { Mode, type RolloutRequest, type Task } from '@datarus/contracts';
import type { RunConfig } from '@datarus/config';
import { generateTask, Rng, STOP_STRINGS, taskKindsByDomain, type TaskKind } from '@datarus/datagen';

export function taskFor(config: RunConfig, index: number): Task {
  const kinds = config.tasks.kinds as TaskKind[];
  const kind = kinds.length ? kinds[new Rng(config.tasks.seed ^ 0x5eed, index).int(0, kinds.length - 1)] : undefined;
  return generateTask(config.tasks.seed, index, { difficulties: config.tasks.difficulties }, kind);
}

function modeFor(config: RunConfig, task: Task, index: number): Mode {
  const agenticOk = task.modes.includes(Mode.MODE_AGENTIC);
  if (config.tasks.mode === 'agentic') return agenticOk ? Mode.MODE_AGENTIC : Mode.MODE_REFLECTION;
  if (config.tasks.mode === 'mixed') return agenticOk && index % 2 === 1 ? Mode.MODE_AGENTIC : Mode.MODE_REFLECTION;
  return Mode.MODE_REFLECTION;
}

/** "<runId>.<incarnation>.<step>.<index>" (a NATS-safe, unique group id). */
export const groupIdOf = (runId: string, incarnation: number, step: number, index: number) => `${runId}.${incarnation}.${step}.${index}`;

export function parseGroupId(id: string): { runId: string; incarnation: number; step: number; index: number } | null {
  const m = /^(.+)\.(\d+)\.(\d+)\.(\d+)$/.exec(id);
  return m ? { runId: m[1], incarnation: Number(m[2]), step: Number(m[3]), index: Number(m[4]) } : null;
}

/**
 * Request `index` of `step` (index may exceed promptsPerStep − 1 for replacements
 * of stale groups; those draw tasks past the step's own range).
 */
export function requestFor(config: RunConfig, incarnation: number, step: number, index: number): RolloutRequest {
  const P = config.grpo.promptsPerStep;
  const fresh = index < P ? step * P + index : 1_000_000_000 + step * 1000 + index;
  const taskIndex = config.tasks.pool > 0 ? fresh % config.tasks.pool : fresh;
  const task = taskFor(config, taskIndex);
  const mode = modeFor(config, task, taskIndex);
  return {
    groupId: groupIdOf(config.runId, incarnation, step, index),
    task,
    mode,
    minPolicyVersion: Math.max(0, step - config.maxOffPolicySteps),
    groupSize: config.grpo.groupSize,
    sampling: {
      temperature: config.sampling.temperature,
      topP: config.sampling.topP,
      topK: config.sampling.topK,
      maxNewTokens: config.grpo.maxCompletionLength,
      stop: STOP_STRINGS[mode === Mode.MODE_AGENTIC ? 'MODE_AGENTIC' : 'MODE_REFLECTION'],
    },
    seed: String((BigInt(config.grpo.seed) << 32n) + BigInt(step) * 4096n + BigInt(index) * 64n),
    step,
  };
}
