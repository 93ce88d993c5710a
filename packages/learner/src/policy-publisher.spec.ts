// PolicyPublisher on the real SmolLM2 engine: each version holds the weights as they
// were when it was published, and a third version is written into the copy of the
// first (keep = 2) instead of a new one.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '@datarus/engine';
import { describeWeights } from '@datarus/transport';
import { PolicyPublisher, policyTensors } from './policy-publisher.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const NORM = 'model.norm.weight';

describe('PolicyPublisher (SmolLM2)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.load(MODEL);
  });
  afterAll(() => engine?.dispose());

  const setNorm = (x: number) => engine.setParameters([{ name: NORM, data: new Float32Array(engine.parameter(NORM).data.length).fill(x) }]);
  const normOf = (p: PolicyPublisher, v: number) => {
    const t = p.store.weights(v)!.find((t) => t.name === NORM)!;
    p.store.release(v); // read here, not by a stream
    return new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4);
  };

  it('publishes each version as it was, writing the third into the first one’s copy', () => {
    const p = new PolicyPublisher(engine, 2);
    setNorm(1);
    p.publish(0, 0);
    const first = p.store.weights(0)!.map((t) => t.data.buffer);
    p.store.release(0);
    setNorm(2);
    p.publish(1, 1);
    setNorm(3);
    const v2 = p.publish(2, 2);
    expect(p.store.weights(0)).toBeNull();
    expect(normOf(p, 1)[0]).toBe(2);
    expect(normOf(p, 2)[0]).toBe(3);
    // the same buffers as version 0's, holding the engine's weights now
    const reused = p.store.weights(2)!.filter((t, i) => t.data.buffer === first[i]).length;
    expect(reused).toBe(first.length);
    expect(v2.checksum).toBe(describeWeights(2, 2, policyTensors(engine)).checksum);
  });

  it('refuses a copy of the wrong size with E_INVALID_ARGUMENT', () => {
    expect(() => engine.parameter(NORM, new Float32Array(3))).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});
