import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGgufMetadata } from './gguf/read-gguf-metadata.js';
import { Tokenizer } from './tokenizer.js';
import { toTokenizerConfigJson, toTokenizerJson } from './to-tokenizer-json.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const SAMPLES = [
  'The capital of France is Paris.',
  'x = 12345.678 * (3 - 4)\n\tprint(x)  # done',
  '<|im_start|>user\nHi there 😀<|im_end|>\n',
  '   leading   and trailing   ',
];

describe.skipIf(!existsSync(MODEL))('tokenizer.json writer', () => {
  it('round-trips the SmolLM2 GGUF tokenizer through tokenizer.json', async () => {
    const fromGguf = Tokenizer.fromGguf(await readGgufMetadata(MODEL));
    const json = JSON.parse(JSON.stringify(toTokenizerJson(fromGguf.spec)));
    const config = toTokenizerConfigJson(fromGguf.spec, 8192);
    const back = Tokenizer.fromTokenizerJson(json, config as never);
    for (const s of SAMPLES) expect(back.encode(s)).toEqual(fromGguf.encode(s));
    expect(back.vocabSize).toBe(fromGguf.vocabSize);
    expect(back.eosId).toBe(fromGguf.eosId);
    expect(config.chat_template).toBe(fromGguf.chatTemplate);
    expect(back.applyChatTemplate([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true })).toBe(
      fromGguf.applyChatTemplate([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true }),
    );
  });
});
