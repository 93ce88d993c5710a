// `datarus bench`: runs the native engine benchmark (prefill and decode tokens/s
// against the matmul FLOP/s and memory bandwidth measured in the same run).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { nativeBinaryPath } from '@datarus/engine';
import { parseFlags, usage, validate } from '../args.js';

const Flags = z.object({
  model: z.string().default('models/SmolLM2-135M-Instruct.Q4_1.gguf'),
  promptTokens: z.coerce.number().int().min(1).default(256),
  newTokens: z.coerce.number().int().min(2).default(64),
  json: z.boolean().default(false),
});

export const benchHelp = 'datarus bench [--model PATH] [--prompt-tokens 256] [--new-tokens 64] [--json]';

export async function benchCommand(argv: string[]): Promise<number> {
  const f = validate(Flags, parseFlags(argv, new Set(['json'])));
  const bin = join(dirname(dirname(nativeBinaryPath())), 'datarus_bench');
  if (!existsSync(bin)) throw usage(`${bin} is missing: run \`npx nx run native:build\``);
  const args = [f.model, '--prompt-tokens', String(f.promptTokens), '--new-tokens', String(f.newTokens)];
  if (f.json) args.push('--json');
  const r = spawnSync(bin, args, { stdio: 'inherit' });
  return r.status ?? 1;
}
