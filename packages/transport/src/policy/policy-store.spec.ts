// InMemoryPolicyStore: the versions it keeps, its readers, and the copy it hands
// back for the next version; the PolicyService releases every version it streamed.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '@datarus/contracts';
import { policyServiceDefinition } from './policy-definition.js';
import { InMemoryPolicyStore } from './policy-store.js';
import { PolicyClient } from './policy-client.js';
import { servePolicy } from './policy-server.js';
import type { NamedTensor } from './weights-checksum.js';

const copy = (fill: number): NamedTensor[] => [{ name: 'w', dtype: 'f32', shape: [4], data: new Uint8Array(16).fill(fill) }];

describe('InMemoryPolicyStore.takeRecyclable', () => {
  it('hands back the version the next publish would drop, and only when keep versions are served', () => {
    const store = new InMemoryPolicyStore(2);
    const v1 = copy(1);
    store.publish(1, 1, v1);
    expect(store.takeRecyclable()).toBeNull(); // one served, keep 2: nothing due to go
    store.publish(2, 2, copy(2));
    expect(store.takeRecyclable()).toBe(v1);
    expect(store.weights(1)).toBeNull(); // no longer served
    expect(store.weights(2)).not.toBeNull();
    store.release(2);
    v1[0].data.fill(3);
    store.publish(3, 3, v1);
    expect(store.weights(3)![0].data[0]).toBe(3);
  });

  it('keeps a version that a stream reads until it is released', () => {
    const store = new InMemoryPolicyStore(2);
    store.publish(1, 1, copy(1));
    store.publish(2, 2, copy(2));
    store.weights(1);
    store.weights(1); // two streams on version 1
    expect(store.takeRecyclable()).toBeNull();
    store.release(1);
    expect(store.takeRecyclable()).toBeNull();
    store.release(1);
    expect(store.takeRecyclable()![0].data[0]).toBe(1);
  });

  it('is released by the PolicyService after every stream, including one the client rejects', async () => {
    const store = new InMemoryPolicyStore(2);
    const serving = await servePolicy(store);
    const client = new PolicyClient({ address: serving.address });
    try {
      const v1 = store.publish(1, 1, copy(1));
      store.publish(2, 2, copy(2));
      expect((await client.fetchWeights(v1)).tensors[0].data[0]).toBe(1);
      // a checksum that does not match: the client gives up on the stream
      await expect(client.fetchWeights({ ...v1, checksum: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
      await new Promise((r) => setTimeout(r, 100)); // the server sees the stream end
      expect(store.takeRecyclable()![0].data[0]).toBe(1);
    } finally {
      client.close();
      await serving.close();
    }
  });
});

describe('a FetchWeights stream cancelled while the server waits for the client to read', () => {
  it('ends on the server, which releases its version', async () => {
    const store = new InMemoryPolicyStore(2);
    const serving = await servePolicy(store, { policy: { maxChunkBytes: 64 * 1024 } });
    const big = (fill: number): NamedTensor[] => [{ name: 'w', dtype: 'f32', shape: [4 << 20], data: new Uint8Array(16 << 20).fill(fill) }];
    const client = new grpc.Client(serving.address, grpc.credentials.createInsecure());
    try {
      const v1 = store.publish(1, 1, big(1));
      store.publish(2, 2, big(2));
      const identity = (b: Buffer) => b;
      const request = Buffer.from(encodeMessage('datarus.v1.FetchRequest', { version: v1.version, chunkBytes: 64 * 1024 }));
      const call = client.makeServerStreamRequest<Buffer, Buffer>(policyServiceDefinition.FetchWeights.path, identity, identity, request);
      call.on('error', () => {}); // the cancellation itself
      await once(call, 'data');
      call.pause(); // the client stops reading: the server's writes back up
      await new Promise((r) => setTimeout(r, 300));
      expect(store.takeRecyclable()).toBeNull(); // version 1 is being read
      call.cancel();
      await new Promise((r) => setTimeout(r, 300));
      expect(store.takeRecyclable()?.[0].data[0]).toBe(1);
    } finally {
      client.close();
      await serving.close();
    }
  });
});
