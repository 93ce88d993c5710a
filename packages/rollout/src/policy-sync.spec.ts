// PolicySync against a real PolicyService on loopback, on the real SmolLM2 engine:
// a version is installed tensor by tensor as it streams in; a stream that fails its
// checksum leaves the worker holding no version, and the next ensure() installs the
// learner's latest whole.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '@datarus/engine';
import { InMemoryPolicyStore, PolicyClient, servePolicy, type NamedTensor, type PolicyServing, type PolicySource } from '@datarus/transport';
import { PolicySync } from './policy-sync.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const NORM = 'model.norm.weight';

describe('PolicySync (SmolLM2, real PolicyService)', () => {
  let engine: Engine;
  let weights: NamedTensor[]; // the model's own, with the final norm set per version
  const store = new InMemoryPolicyStore(4);
  let corrupt = false; // serve versions with one byte of the final norm flipped
  const source: PolicySource = {
    latest: () => store.latest(),
    weights: (v) => {
      const t = store.weights(v);
      if (!t || !corrupt) return t;
      return t.map((x) => {
        if (x.name !== NORM) return x;
        const data = x.data.slice();
        data[0] ^= 1;
        return { ...x, data };
      });
    },
    release: (v) => store.release(v),
  };
  let serving: PolicyServing;
  let client: PolicyClient;

  const publish = (version: number, norm: number) => {
    const tensors = weights.map((t) => (t.name === NORM ? { ...t, data: new Uint8Array(new Float32Array(t.data.byteLength / 4).fill(norm).buffer) } : t));
    return store.publish(version, version, tensors);
  };
  const engineNorm = () => engine.parameter(NORM).data[0];

  beforeAll(async () => {
    engine = await Engine.load(MODEL);
    weights = engine.parameterNames().map((name) => {
      const t = engine.parameter(name);
      return { name, dtype: 'f32', shape: t.shape, data: new Uint8Array(t.data.buffer) };
    });
    serving = await servePolicy(source);
    client = new PolicyClient({ address: serving.address });
  });
  afterAll(async () => {
    client?.close();
    await serving?.close();
    engine?.dispose();
  });

  it('installs each version whole, and after a failed stream holds none until the next ensure', async () => {
    const sync = new PolicySync(engine, client, 20);
    publish(1, 2);
    expect((await sync.ensure(1)).version).toBe(1);
    expect(engineNorm()).toBe(2);
    expect(sync.version()?.version).toBe(1);

    publish(2, 3);
    corrupt = true;
    await expect(sync.ensure(2)).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
    expect(sync.version()).toBeNull(); // the engine may hold a mix of versions 1 and 2

    corrupt = false;
    expect((await sync.ensure(2)).version).toBe(2);
    expect(engineNorm()).toBe(3);
    expect(sync.stats.fetches).toBe(2);
    // the same version again: nothing fetched
    await sync.ensure(2);
    expect(sync.stats.fetches).toBe(2);
  });
});
