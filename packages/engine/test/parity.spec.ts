// Numerical parity of the engine against an independent PyTorch implementation
// (test/reference_model.py): logits, and gradients of a weighted NLL, for small
// random Qwen2-shaped (QKV bias, GQA 8/2, untied) and Llama-shaped (tied) models.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { Engine } from '../src/index.js';
import { runPython } from './python.js';

const SCRIPT = fileURLToPath(new URL('./reference_model.py', import.meta.url));
// fp32 engine vs fp64 reference: logits of magnitude ~10 agree to ~1e-5.
const LOGIT_TOL = 1e-4;
const GRAD_RTOL = 1e-3;

interface Reference {
  ids: number[][];
  weights: number[][];
  logits: number[];
  loss: number;
  grads: Record<string, number[]>;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbsOf = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

for (const shape of [
  { name: 'qwen2 (QKV bias, GQA, untied)', bias: 1, tied: 0 },
  { name: 'llama (GQA, tied)', bias: 0, tied: 1 },
]) {
  describe(`parity with an independent PyTorch reference: ${shape.name}`, () => {
    const dir = suiteTempDir('parity');
    let ref: Reference;

    it('logits match', async () => {
      runPython(SCRIPT, [dir(), '--bias', String(shape.bias), '--tied', String(shape.tied), '--seed', '7']);
      ref = JSON.parse(await readFile(join(dir(), 'reference.json'), 'utf8')) as Reference;
      await using engine = await Engine.load(join(dir(), 'model'), { device: 'cpu', dtype: 'float32' });
      const logits = await engine.logits(ref.ids[0]);
      const diff = maxAbs(logits, ref.logits);
      console.log(`[parity ${shape.name}] max |logits - reference| = ${diff.toExponential(3)} (tolerance ${LOGIT_TOL})`);
      expect(logits.length).toBe(ref.logits.length);
      expect(diff).toBeLessThan(LOGIT_TOL);
    });

    it('gradients of the weighted NLL match', async () => {
      await using engine = await Engine.load(join(dir(), 'model'), { device: 'cpu', dtype: 'float32' });
      const { loss } = await engine.backward({ sequences: ref.ids, weights: ref.weights });
      console.log(`[parity ${shape.name}] loss ${loss.toFixed(6)} vs reference ${ref.loss.toFixed(6)}`);
      expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-4);
      for (const [name, want] of Object.entries(ref.grads)) {
        const got = engine.grad(name);
        expect(got, name).not.toBeNull();
        const rel = maxAbs(got!.data, want) / maxAbsOf(want);
        console.log(`[parity ${shape.name}] ${name}: max |grad - reference| / max|reference| = ${rel.toExponential(3)}`);
        expect(rel, name).toBeLessThan(GRAD_RTOL);
      }
    });

    it('save -> load round-trips every parameter exactly', async () => {
      await using engine = await Engine.load(join(dir(), 'model'), { device: 'cpu', dtype: 'float32' });
      const out = join(dir(), 'saved');
      await engine.save(out);
      await using again = await Engine.load(out, { device: 'cpu', dtype: 'float32' });
      expect(again.parameterNames()).toEqual(engine.parameterNames());
      for (const name of engine.parameterNames()) {
        expect(maxAbs(again.parameter(name).data, engine.parameter(name).data), name).toBe(0);
      }
      expect(maxAbs(await again.logits(ref.ids[1]), await engine.logits(ref.ids[1]))).toBe(0);
      expect(again.tokenizer.encode('hello')).toEqual(engine.tokenizer.encode('hello'));
    });
  });
}
