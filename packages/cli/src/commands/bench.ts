// `datarus bench [engine|generate]`: runs the native benchmarks, which measure the
// machine's limits (fp32 matmul FLOP/s, memory bandwidth) in the same run.
//   engine   — prefill and single-sequence decode tokens/s (the default)
//   generate — GRPO group generation vs the naive baseline, memory for several G
//   train    — one GRPO optimisation step: time, tokens/s, MFU, memory (with and without checkpointing)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { nativeBinaryPath } from '@datarus/engine';
import { parseFlags, usage, validate } from '../args.js';

const DEFAULT_MODEL = 'models/SmolLM2-135M-Instruct.Q4_1.gguf';

const EngineFlags = z.object({
  model: z.string().default(DEFAULT_MODEL),
  promptTokens: z.coerce.number().int().min(1).default(256),
  newTokens: z.coerce.number().int().min(2).default(64),
  json: z.boolean().default(false),
});

const GenerateFlags = z.object({
  model: z.string().default(DEFAULT_MODEL),
  /** Samples per prompt (G). */
  group: z.coerce.number().int().min(1).default(8),
  promptTokens: z.coerce.number().int().min(1).default(256),
  newTokens: z.coerce.number().int().min(1).default(128),
  microBatch: z.coerce.number().int().min(1).default(8),
  /** Group sizes whose peak memory is measured, comma-separated. */
  memoryGroups: z.string().regex(/^\d+(,\d+)*$/).default('8,32,64'),
  /** Decode trials, each bracketed by its own bandwidth and matmul measurements; the median is reported. */
  trials: z.coerce.number().int().min(1).default(5),
  json: z.boolean().default(false),
});

const TrainFlags = z.object({
  model: z.string().default(DEFAULT_MODEL),
  /** Sequences per optimisation step. */
  batch: z.coerce.number().int().min(1).default(8),
  /** Tokens per sequence (prompt + completion). */
  seq: z.coerce.number().int().min(2).default(256),
  microBatch: z.coerce.number().int().min(1).optional(),
  /** KL coefficient; 0 skips the reference model. */
  beta: z.coerce.number().min(0).default(0.04),
  steps: z.coerce.number().int().min(1).optional(),
  /** Also run the steps with activation checkpointing and print both side by side. */
  checkpoint: z.boolean().default(false),
  json: z.boolean().default(false),
});

export const benchHelp =
  'datarus bench [engine] [--model PATH] [--prompt-tokens 256] [--new-tokens 64] [--json]\n' +
  '  datarus bench train [--model PATH] [--batch 8] [--seq 256] [--micro-batch N] [--beta 0.04] [--steps N] [--checkpoint] [--json]\n' +
  '  datarus bench generate [--model PATH] [--group 8] [--prompt-tokens 256] [--new-tokens 128] [--micro-batch 8] [--memory-groups 8,32,64] [--trials 5] [--json]';

function run(binary: string, args: string[]): number {
  const bin = join(dirname(dirname(nativeBinaryPath())), binary);
  if (!existsSync(bin)) throw usage(`${bin} is missing: run \`npx nx run native:build\``);
  return spawnSync(bin, args, { stdio: 'inherit' }).status ?? 1;
}

export async function benchCommand(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'generate') {
    const f = validate(GenerateFlags, parseFlags(rest, new Set(['json'])));
    const args = [f.model, '--group', String(f.group), '--prompt-tokens', String(f.promptTokens), '--new-tokens',
      String(f.newTokens), '--micro-batch', String(f.microBatch), '--memory-groups', f.memoryGroups, '--trials', String(f.trials)];
    return run('datarus_bench_generate', f.json ? [...args, '--json'] : args);
  }
  if (first === 'train') {
    const f = validate(TrainFlags, parseFlags(rest, new Set(['json', 'checkpoint'])));
    const args = [f.model, '--batch', String(f.batch), '--seq', String(f.seq), '--beta', String(f.beta)];
    if (f.microBatch) args.push('--micro-batch', String(f.microBatch));
    if (f.steps) args.push('--steps', String(f.steps));
    if (f.checkpoint) args.push('--checkpoint');
    return run('datarus_bench_train', f.json ? [...args, '--json'] : args);
  }
  const f = validate(EngineFlags, parseFlags(first === 'engine' ? rest : argv, new Set(['json'])));
  const args = [f.model, '--prompt-tokens', String(f.promptTokens), '--new-tokens', String(f.newTokens)];
  return run('datarus_bench', f.json ? [...args, '--json'] : args);
}
