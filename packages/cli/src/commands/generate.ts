// `datarus generate`: one completion of a prompt, as text or JSON.
import { z } from 'zod';
import { Engine } from '@datarus/engine';
import { parseFlags, validate } from '../args.js';

const Flags = z.object({
  /** A GGUF file or a Hugging Face model directory. */
  model: z.string().min(1),
  prompt: z.string().min(1),
  /** Wrap the prompt as a user message in the model's chat template. */
  chat: z.boolean().default(false),
  maxTokens: z.coerce.number().int().min(0).default(128),
  /** 0 = greedy (the default, deterministic). */
  temperature: z.coerce.number().min(0).default(0),
  topP: z.coerce.number().gt(0).max(1).default(1),
  topK: z.coerce.number().int().min(0).default(0),
  seed: z.coerce.number().int().min(0).default(0),
  device: z.string().default('auto'),
  json: z.boolean().default(false),
});

export const generateHelp = `datarus generate --model PATH --prompt TEXT [--chat] [--max-tokens 128]
                 [--temperature 0] [--top-p 1] [--top-k 0] [--seed 0] [--device auto] [--json]`;

export async function generateCommand(argv: string[]): Promise<number> {
  const f = validate(Flags, parseFlags(argv, new Set(['chat', 'json'])));
  await using engine = await Engine.load(f.model, { device: f.device });
  const tok = engine.tokenizer;
  const prompt = f.chat ? engine.chatPrompt([{ role: 'user', content: f.prompt }]) : tok.encode(f.prompt, { allowSpecial: true });
  const r = await engine.generate(prompt, {
    maxNewTokens: f.maxTokens,
    temperature: f.temperature,
    topP: f.topP,
    topK: f.topK,
    seed: f.seed,
  });
  const text = tok.decode(r.tokens, { skipSpecial: true });
  const decodeTps = r.tokens.length > 1 ? (r.tokens.length - 1) / r.decodeSeconds : 0;
  if (f.json) {
    const out = {
      text,
      tokens: r.tokens,
      logprobs: r.logprobs,
      finishReason: r.finishReason,
      promptTokens: prompt.length,
      prefillTokensPerSecond: prompt.length / r.prefillSeconds,
      decodeTokensPerSecond: decodeTps,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    process.stdout.write(text + '\n');
    process.stderr.write(
      `[${prompt.length} prompt tokens, ${r.tokens.length} new, finish: ${r.finishReason}, ` +
        `prefill ${(prompt.length / r.prefillSeconds).toFixed(0)} tok/s, decode ${decodeTps.toFixed(1)} tok/s]\n`,
    );
  }
  return 0;
}
