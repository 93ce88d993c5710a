// Held-out evaluation of a run (config.eval): the policy RL starts from and the
// trained policy answer the same tasks — drawn like the training tasks, from
// eval.seed, and never one of the training pool's — and eval/ keeps each one's
// scored samples (initial.jsonl, final.jsonl) and summaries (summary.json).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mode, type Task } from '@datarus/contracts';
import type { RunConfig } from '@datarus/config';
import type { Engine } from '@datarus/engine';
import { canPose, evaluateTasks, formatPercent as pct, summarize, type EvalRecord, type EvalSummary } from '@datarus/eval';
import { runPaths } from './run-dir.js';
import { taskFor } from './task-feed.js';

export type EvalLabel = 'initial' | 'final';
export type EvalSummaries = Partial<Record<EvalLabel, EvalSummary>>;

const evalMode = (config: RunConfig) => (config.tasks.mode === 'agentic' ? Mode.MODE_AGENTIC : Mode.MODE_REFLECTION);

/** Training tasks checked against the held-out set at most (about 0.1 ms each to generate). */
export const MAX_EXCLUDED_TRAINING_TASKS = 20_000;

/**
 * config.eval.tasks tasks of the training distribution, none with the prompt of a
 * training task: the pool's tasks, or with a fresh task per group (pool 0) the
 * tasks of the requests of steps 0 .. steps − 1 (task-feed.ts: step · promptsPerStep
 * + i; replacements of stale groups aside), up to MAX_EXCLUDED_TRAINING_TASKS of either.
 */
export function heldOutTasks(config: RunConfig): Task[] {
  const mode = evalMode(config);
  const perRun = config.tasks.pool > 0 ? config.tasks.pool : config.steps * config.grpo.promptsPerStep;
  const trained = Math.min(perRun, MAX_EXCLUDED_TRAINING_TASKS);
  const training = new Set(Array.from({ length: trained }, (_, i) => taskFor(config, i).prompt));
  const drawn = { ...config, tasks: { ...config.tasks, seed: config.eval.seed } };
  const out: Task[] = [];
  // a generator whose every task is in the pool (or lacks the mode) must not loop forever
  for (let i = 0; out.length < config.eval.tasks && i < 100 * config.eval.tasks; i++) {
    const task = taskFor(drawn, i);
    if (!training.has(task.prompt) && canPose(task, mode)) out.push(task);
  }
  return out;
}

const summaryPath = (runDir: string) => join(runPaths(runDir).eval, 'summary.json');

export function readEvalSummaries(runDir: string): EvalSummaries {
  const p = summaryPath(runDir);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as EvalSummaries) : {};
}

/** Evaluates `engine` on the held-out tasks; writes eval/<label>.jsonl and adds to eval/summary.json. */
export async function runHeldOutEval(engine: Engine, config: RunConfig, label: EvalLabel, log: (m: string) => void, signal?: AbortSignal): Promise<EvalSummary | null> {
  const tasks = heldOutTasks(config);
  if (tasks.length === 0) return null;
  const t0 = performance.now();
  let records: EvalRecord[];
  try {
    records = await evaluateTasks(
      engine,
      tasks,
      {
        mode: evalMode(config),
        samples: config.eval.samples,
        temperature: config.eval.temperature,
        maxNewTokens: config.eval.maxNewTokens || config.grpo.maxCompletionLength,
        seed: config.eval.seed,
        microBatch: config.rollout.microBatch,
        agentic: config.rollout.agentic,
      },
      { signal },
    );
  } catch (e) {
    if (!signal?.aborted) throw e;
    log(`held-out eval (${label} policy) stopped`);
    return null; // an interrupted run stops here like anywhere else
  }
  const summary = summarize(records);
  const dir = runPaths(config.runDir).eval;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${label}.jsonl`), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(summaryPath(config.runDir), `${JSON.stringify({ ...readEvalSummaries(config.runDir), [label]: summary }, null, 2)}\n`);
  log(
    `held-out eval (${label} policy, ${tasks.length} tasks): accuracy ${pct(summary.accuracy)}, ` +
      `${summary.tokensPerSolution.toFixed(1)} tokens per solution (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return summary;
}

/**
 * "accuracy 25.0% → 50.0% ± …, tokens per solution 80.1 → 52.3, structural reward 0.42 → 1.00"
 * for the console and the report (the structural reward: mean over samples of the
 * tag-format score, so a run that only learns the format shows it here and not in accuracy).
 */
export function formatEvalComparison(s: EvalSummaries): Record<string, string> {
  const { initial, final } = s;
  if (!initial && !final) return {};
  const acc = (x?: EvalSummary) => (x ? `${pct(x.accuracy)} ± ${pct(x.accuracyStdErr)}` : '–');
  const len = (x?: EvalSummary) => (x ? x.tokensPerSolution.toFixed(1) : '–');
  const form = (x?: EvalSummary) => (x ? x.structural.toFixed(2) : '–');
  const tasks = (initial ?? final)!.tasks;
  return {
    [`held-out accuracy (${tasks} tasks)`]: `${acc(initial)} → ${acc(final)}`,
    'held-out tokens per solution': `${len(initial)} → ${len(final)}`,
    'held-out structural reward': `${form(initial)} → ${form(final)}`,
  };
}
