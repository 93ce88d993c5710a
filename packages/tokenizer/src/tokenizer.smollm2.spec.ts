// Tokenizer and chat template checks on the real SmolLM2-135M-Instruct GGUF.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGgufMetadata } from './gguf/read-gguf-metadata.js';
import { Tokenizer } from './tokenizer.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const hasModel = existsSync(MODEL);

describe.skipIf(!hasModel)('SmolLM2 tokenizer from GGUF', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = Tokenizer.fromGguf(await readGgufMetadata(MODEL));
  });

  it('exposes vocab size and special ids', () => {
    expect(tok.vocabSize).toBe(49152);
    expect(tok.bosId).toBe(1);
    expect(tok.eosId).toBe(2);
    expect(tok.padId).toBe(2);
    expect(tok.unkId).toBe(0);
    expect(tok.specialIds.size).toBe(17);
    expect(tok.idOf('<|im_start|>')).toBe(1);
    expect(tok.idOf('<|im_end|>')).toBe(2);
    expect(tok.idOf('not-a-token-xyz')).toBeUndefined();
    expect(tok.tokenString(1)).toBe('<|im_start|>');
    expect(new TextDecoder().decode(tok.tokenToBytes(tok.idOf('Ġthe')!))).toBe(' the');
  });

  it('encodes ChatML markers as single special ids', () => {
    const ids = tok.encode('<|im_start|>user\nHi<|im_end|>');
    expect(ids[0]).toBe(1);
    expect(ids.at(-1)).toBe(2);
    expect(tok.encode('<|im_start|>', { allowSpecial: false })).not.toContain(1);
    expect(tok.decode(ids, { skipSpecial: true })).toBe('user\nHi');
    // add_bos_token is false in this GGUF, so addSpecial adds nothing.
    expect(tok.encode('Hi', { addSpecial: true })).toEqual(tok.encode('Hi'));
  });

  it('splits digits one at a time (smollm pre-tokenizer)', () => {
    const ids = tok.encode('12345');
    expect(ids).toHaveLength(5);
    expect(tok.decode(ids)).toBe('12345');
  });

  it('decodes partial UTF-8: decode marks it, decodeBytes and the stream decoder keep it', () => {
    const ids = tok.encode('é🦀');
    const pieces = ids.map((id) => tok.tokenToBytes(id));
    const splitsChar = pieces.some((b) => new TextDecoder('utf-8', { fatal: false }).decode(b).includes('\uFFFD'));
    expect(splitsChar).toBe(true); // the crab emoji is spread over several byte tokens
    expect(tok.decode(ids.slice(0, -1))).toMatch(/\uFFFD$/);
    expect([...tok.decodeBytes(ids)]).toEqual([...new TextEncoder().encode('é🦀')]);
    const stream = tok.streamDecoder();
    const parts = ids.map((id) => stream.push(id));
    expect(parts.join('') + stream.flush()).toBe('é🦀');
    expect(parts.every((p) => !p.includes('\uFFFD'))).toBe(true);
  });

  it('renders the SmolLM2 chat template exactly', () => {
    expect(tok.chatTemplate).toBeDefined();
    const text = tok.applyChatTemplate([{ role: 'user', content: 'What is the capital of France?' }], { addGenerationPrompt: true });
    expect(text).toBe(
      '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n',
    );
    const withSystem = tok.applyChatTemplate([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(withSystem).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n');
  });

  it('encodes long text quickly (prints throughput; the assertion is on correctness)', () => {
    const para = 'The quick brown fox, numbered 12345.67, jumps over the lazy dog; 日本語 🦀 and code: if (x) { y(); }\n';
    const text = para.repeat(4000) + 'x'.repeat(20000) + ' '.repeat(5000);
    const t0 = performance.now();
    const ids = tok.encode(text);
    const ms = performance.now() - t0;
    console.log(`encoded ${text.length} chars -> ${ids.length} tokens in ${ms.toFixed(0)} ms (${((text.length / ms) * 1000 / 1e6).toFixed(2)} M chars/s)`);
    expect(tok.decode(ids)).toBe(text);
  });
});

if (!hasModel) it.skip(`SmolLM2 tokenizer checks skipped: ${MODEL} is absent`, () => {});
