// `datarus logprobs`: the log-probability of each token of a text under the model.
import { z } from 'zod';
import { Engine } from '@datarus/engine';
import { parseFlags, validate } from '../args.js';

const Flags = z.object({
  model: z.string().min(1),
  text: z.string().min(1),
  device: z.string().default('auto'),
  json: z.boolean().default(false),
});

export const logprobsHelp = 'datarus logprobs --model PATH --text TEXT [--device auto] [--json]';

export async function logprobsCommand(argv: string[]): Promise<number> {
  const f = validate(Flags, parseFlags(argv, new Set(['json'])));
  await using engine = await Engine.load(f.model, { device: f.device });
  const tok = engine.tokenizer;
  const ids = tok.encode(f.text, { allowSpecial: true });
  if (ids.length < 2) throw new Error('the text must encode to at least 2 tokens');
  const [lp] = await engine.logprobs([ids]);
  const rows = Array.from(lp, (logprob, i) => ({ id: ids[i + 1], token: tok.decode([ids[i + 1]]), logprob }));
  const total = rows.reduce((s, r) => s + r.logprob, 0);
  if (f.json) {
    process.stdout.write(JSON.stringify({ tokens: rows, total, mean: total / rows.length, perplexity: Math.exp(-total / rows.length) }) + '\n');
    return 0;
  }
  for (const r of rows) process.stdout.write(`${r.logprob.toFixed(4).padStart(10)}  ${String(r.id).padStart(6)}  ${JSON.stringify(r.token)}\n`);
  process.stdout.write(`total ${total.toFixed(4)}  mean ${(total / rows.length).toFixed(4)}  perplexity ${Math.exp(-total / rows.length).toFixed(3)}\n`);
  return 0;
}
