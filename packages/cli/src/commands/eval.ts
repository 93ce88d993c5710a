// `datarus eval`: accuracy and tokens per solution of a model on tasks with known
// answers — a JSONL file of tasks (`datarus datagen`), or tasks generated on the
// spot — with a progress bar on stderr, a summary on stdout (JSON with --json),
// and every scored sample in a JSONL file with --out. Ctrl-C ends it early with
// the figures of the tasks done (exit code 130).
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { DatarusError, ErrorCode, type Task } from '@datarus/contracts';
import { generateTasks, progressBar, readTasksFile } from '@datarus/datagen';
import { Engine } from '@datarus/engine';
import { evaluateTasks, formatSummary, summarize, tasksFor, type EvalRecord } from '@datarus/eval';
import { parseFlags, validate } from '../args.js';

const Flags = z.object({
  /** A GGUF file or a Hugging Face model directory. */
  model: z.string().min(1),
  /** Tasks as JSONL; without it, --n tasks are generated with --task-seed. */
  tasks: z.string().min(1).optional(),
  n: z.coerce.number().int().min(1).default(16),
  taskSeed: z.coerce.number().int().min(0).default(1000),
  mode: z.enum(['reflection', 'agentic']).default('reflection'),
  samples: z.coerce.number().int().min(1).max(1024).default(1),
  /** 0 = greedy (the default). */
  temperature: z.coerce.number().min(0).default(0),
  topP: z.coerce.number().gt(0).max(1).default(1),
  topK: z.coerce.number().int().min(0).default(0),
  maxTokens: z.coerce.number().int().min(1).default(512),
  seed: z.coerce.number().int().min(0).default(0),
  microBatch: z.coerce.number().int().min(1).default(8),
  device: z.string().default('auto'),
  /** Writes every scored sample here, one JSON object per line. */
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

export const evalHelp = `datarus eval --model PATH [--tasks FILE.jsonl | --n 16 --task-seed 1000] [--mode reflection|agentic]
                 [--samples 1] [--temperature 0] [--top-p 1] [--top-k 0] [--max-tokens 512] [--seed 0]
                 [--micro-batch 8] [--device auto] [--out records.jsonl] [--json]`;

async function loadTasks(f: z.infer<typeof Flags>): Promise<Task[]> {
  return f.tasks ? readTasksFile(f.tasks, 'tasks') : [...generateTasks({ n: f.n, seed: f.taskSeed })];
}

export async function evalCommand(argv: string[]): Promise<number> {
  const f = validate(Flags, parseFlags(argv, new Set(['json'])));
  const mode = f.mode === 'agentic' ? 'MODE_AGENTIC' : 'MODE_REFLECTION';
  const all = await loadTasks(f);
  const tasks = tasksFor(all, mode);
  if (tasks.length === 0) throw new DatarusError(ErrorCode.BadTask, `none of the ${all.length} tasks can be posed in ${f.mode} mode`);
  if (tasks.length < all.length) process.stderr.write(`eval: ${all.length - tasks.length} of ${all.length} tasks have no ${f.mode} mode; skipped\n`);
  await using engine = await Engine.load(f.model, { device: f.device });
  const bar = progressBar(tasks.length, process.stderr, 'eval ');
  const t0 = performance.now();
  // Ctrl-C stops at the current sample; the tasks done so far are still reported.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  let records: EvalRecord[] = [];
  let interrupted = false;
  bar.tick(0);
  try {
    records = await evaluateTasks(
      engine,
      tasks,
      { mode, samples: f.samples, temperature: f.temperature, topP: f.topP, topK: f.topK, maxNewTokens: f.maxTokens, seed: f.seed, microBatch: f.microBatch },
      {
        onTask: (done, soFar) => {
          records = soFar as EvalRecord[]; // the array evaluateTasks fills: what is done when Ctrl-C comes
          bar.tick(done);
        },
        signal: stop.signal,
      },
    );
  } catch (e) {
    if (!stop.signal.aborted) throw e;
    interrupted = true;
  } finally {
    process.off('SIGINT', onSignal);
  }
  bar.end();
  const done = new Set(records.map((r) => r.taskId)).size;
  if (interrupted) process.stderr.write(`eval: interrupted after ${done} of ${tasks.length} tasks; reporting those\n`);
  const seconds = (performance.now() - t0) / 1000;
  if (f.out) {
    try {
      await writeFile(f.out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    } catch (e) {
      throw new DatarusError(ErrorCode.FileIo, `--out: cannot write ${f.out}: ${(e as Error).message}`);
    }
  }
  const summary = summarize(records);
  if (f.json) process.stdout.write(JSON.stringify({ model: f.model, mode: f.mode, seconds, interrupted, ...summary }) + '\n');
  else process.stdout.write(`${formatSummary(summary)}\n[${records.length} samples in ${seconds.toFixed(1)} s]\n`);
  return interrupted ? 130 : 0;
}
