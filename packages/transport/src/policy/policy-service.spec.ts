// PolicyService over real gRPC on loopback: a few MB of weights streamed in small
// chunks and verified; corruption, protocol breaks, unknown versions and an
// unreachable server each rejected with their code; TLS, and mutual TLS.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTempDir } from '../../../../test/support/temp-dir.js';
import { makeTestCerts } from '../../../../test/support/test-certs.js';
import type { PolicyVersion, WeightsChunk } from '@datarus/contracts';
import { InMemoryPolicyStore, type PolicySource } from './policy-store.js';
import { PolicyClient, WeightsAssembler } from './policy-client.js';
import { servePolicy, type PolicyServing } from './policy-server.js';
import { describeWeights, type NamedTensor } from './weights-checksum.js';

const tensors: NamedTensor[] = [
  { name: 'model.embed_tokens.weight', dtype: 'f32', shape: [1000, 768], data: randomBytes(1000 * 768 * 4) }, // 3.07 MB
  { name: 'model.norm.weight', dtype: 'f32', shape: [768], data: randomBytes(768 * 4) },
  { name: 'empty', dtype: 'f32', shape: [0], data: new Uint8Array(0) },
  { name: 'lm_head.weight', dtype: 'bf16', shape: [500, 768], data: randomBytes(500 * 768 * 2) }, // 0.77 MB
];
const totalBytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
const CHUNK = 64 * 1024;

let store: InMemoryPolicyStore;
let serving: PolicyServing;
let client: PolicyClient;

beforeAll(async () => {
  store = new InMemoryPolicyStore(2);
  serving = await servePolicy(store);
  client = new PolicyClient({ address: serving.address });
});

afterAll(async () => {
  client?.close();
  await serving?.close();
});

describe('PolicyService', () => {
  it('has no version before the first publish', async () => {
    await expect(client.latest()).rejects.toMatchObject({ code: 'E_VERSION_UNAVAILABLE' });
  });

  it('streams a few MB in small chunks, reassembled and checksum-verified', async () => {
    store.publish(4, 40, tensors.slice(0, 1));
    store.publish(5, 50, tensors);
    const latest = await client.latest();
    expect(latest).toMatchObject({ version: 5, step: 50, totalBytes: String(totalBytes), tensorCount: 4 });
    const t0 = performance.now();
    let progressCalls = 0;
    const got = await client.fetchWeights(latest, { chunkBytes: CHUNK, onProgress: () => progressCalls++ });
    const ms = performance.now() - t0;
    const expectedChunks = tensors.reduce((n, t) => n + Math.max(1, Math.ceil(t.data.byteLength / CHUNK)), 0);
    console.log(
      `PolicyService: ${(totalBytes / 1e6).toFixed(2)} MB in ${got.chunks} chunks of ${CHUNK / 1024} KiB, ${ms.toFixed(0)} ms (${(totalBytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s)`,
    );
    expect(got.chunks).toBe(expectedChunks);
    expect(progressCalls).toBe(expectedChunks);
    expect(got.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(tensors.map((t) => [t.name, t.dtype, t.shape]));
    for (let i = 0; i < tensors.length; i++) expect(Buffer.compare(Buffer.from(got.tensors[i].data), Buffer.from(tensors[i].data))).toBe(0);
    // an older, still retained version
    const v4 = await client.fetchWeights(describeWeights(4, 40, tensors.slice(0, 1)));
    expect(v4.tensors).toHaveLength(1);
  });

  it('hands each tensor to onTensor as it completes, keeping none, and still verifies the stream', async () => {
    const v = (await client.latest())!; // version 5, all four tensors
    const seen: NamedTensor[] = [];
    const got = await client.fetchWeights(v, { chunkBytes: CHUNK, onTensor: (t) => seen.push(t) });
    expect(got.tensors).toEqual([]);
    expect(seen.map((t) => [t.name, t.dtype, t.shape])).toEqual(tensors.map((t) => [t.name, t.dtype, t.shape]));
    seen.forEach((t, i) => expect(Buffer.compare(Buffer.from(t.data), Buffer.from(tensors[i].data))).toBe(0));
    // the callbacks run before the checksum is known: a wrong one still fails the fetch
    let calls = 0;
    await expect(client.fetchWeights({ ...v, checksum: '0'.repeat(64) }, { onTensor: () => calls++ })).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
    expect(calls).toBe(tensors.length);
    // and a callback that throws fails it with its error
    const boom = Object.assign(new Error('no such parameter'), { code: 'E_INVALID_ARGUMENT' });
    await expect(
      client.fetchWeights(v, {
        onTensor: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });

  it('rejects an unknown version with E_VERSION_UNAVAILABLE', async () => {
    store.publish(6, 60, tensors.slice(1, 2));
    store.publish(7, 70, tensors.slice(1, 2)); // keep = 2: version 5 is gone
    await expect(client.fetchWeights(describeWeights(5, 50, tensors))).rejects.toMatchObject({ code: 'E_VERSION_UNAVAILABLE' });
  });

  it('rejects a corrupted chunk with E_CHECKSUM_MISMATCH', async () => {
    const announced = describeWeights(1, 1, tensors);
    const corrupted = tensors.map((t) => ({ ...t, data: Uint8Array.from(t.data) }));
    corrupted[0].data[123_456] ^= 0x01; // one bit in the middle of a chunk
    const lying: PolicySource = { latest: () => announced, weights: () => corrupted };
    const bad = await servePolicy(lying);
    const c = new PolicyClient({ address: bad.address });
    try {
      await expect(c.fetchWeights(await c.latest(), { chunkBytes: CHUNK })).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
      // a short stream (a tensor missing) is caught too
      const short: PolicySource = { latest: () => announced, weights: () => tensors.slice(0, 3) };
      const bad2 = await servePolicy(short);
      const c2 = new PolicyClient({ address: bad2.address });
      await expect(c2.fetchWeights(announced)).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
      c2.close();
      await bad2.close();
    } finally {
      c.close();
      await bad.close();
    }
  });

  it('rejects a stream that breaks the chunk protocol with E_BAD_MESSAGE', () => {
    const v: PolicyVersion = describeWeights(9, 9, [{ name: 'w', dtype: 'f32', shape: [4], data: new Uint8Array(16) }]);
    const chunk = (o: Partial<WeightsChunk>): WeightsChunk => ({ version: 9, tensorName: 'w', offset: '0', data: new Uint8Array(8), final: false, dtype: 'f32', shape: [4], tensorBytes: '16', ...o });
    const gap = new WeightsAssembler(v);
    gap.push(chunk({}));
    expect(() => gap.push(chunk({ offset: '12', data: new Uint8Array(4) }))).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
    const noFinal = new WeightsAssembler(v);
    noFinal.push(chunk({}));
    noFinal.push(chunk({ offset: '8' }));
    expect(() => noFinal.finish()).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
    expect(() => new WeightsAssembler(v).push(chunk({ version: 8 }))).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
    const ok = new WeightsAssembler(v);
    ok.push(chunk({}));
    ok.push(chunk({ offset: '8', final: true }));
    expect(ok.finish()[0].data).toEqual(new Uint8Array(16));
  });

  it('reports an unreachable server as E_TRANSPORT_FAILED', async () => {
    const c = new PolicyClient({ address: '127.0.0.1:1' });
    await expect(c.latest(2000)).rejects.toMatchObject({ code: 'E_TRANSPORT_FAILED' });
    c.close();
  });

  it('serves over TLS with a CA-verified certificate', async () => {
    const certs = makeTestCerts(testTempDir('tls'));
    const tlsStore = new InMemoryPolicyStore();
    const v = tlsStore.publish(1, 1, tensors.slice(1, 2));
    const s = await servePolicy(tlsStore, { server: { bind: '127.0.0.1:0', tls: { certFile: certs.serverCert, keyFile: certs.serverKey } } });
    const good = new PolicyClient({ address: s.address, tls: { caFile: certs.ca } });
    const plain = new PolicyClient({ address: s.address });
    try {
      expect(await good.latest()).toEqual(v);
      expect((await good.fetchWeights(v)).tensors[0].data).toEqual(new Uint8Array(tensors[1].data));
      await expect(plain.latest(2000)).rejects.toMatchObject({ code: 'E_TRANSPORT_FAILED' });
    } finally {
      good.close();
      plain.close();
      await s.close();
    }
  });

  it('requires client certificates signed by its CA when the server has a caFile (mutual TLS)', async () => {
    const certs = makeTestCerts(testTempDir('mtls'));
    const store = new InMemoryPolicyStore();
    const v = store.publish(1, 1, tensors.slice(0, 1));
    const s = await servePolicy(store, { server: { bind: '127.0.0.1:0', tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca } } });
    const mutual = new PolicyClient({ address: s.address, tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey } });
    const anonymous = new PolicyClient({ address: s.address, tls: { caFile: certs.ca } });
    try {
      expect(await mutual.latest()).toEqual(v);
      await expect(anonymous.latest(2000)).rejects.toMatchObject({ code: 'E_TRANSPORT_FAILED' });
    } finally {
      mutual.close();
      anonymous.close();
      await s.close();
    }
  });
});
