// The checksum of a policy's weights, as PolicyVersion.checksum states it:
// "sha256:<hex>" over every tensor in stream order: its utf-8 name, one 0 byte,
// its byte length as 8 bytes little-endian, then its bytes. Incremental, so a
// client can hash chunks as they arrive without joining them first.
import { createHash, type Hash } from 'node:crypto';
import type { PolicyVersion } from '@datarus/contracts';

/** One tensor of a policy: raw bytes in `dtype`, row-major `shape`. */
export interface NamedTensor {
  name: string;
  /** "bf16", "f16", "f32", ... as the engine names them. */
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

export class WeightsHasher {
  private readonly hash: Hash = createHash('sha256');

  /** Starts a tensor of `byteLength` bytes; its data follows through update(). */
  beginTensor(name: string, byteLength: number | bigint): void {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(byteLength));
    this.hash.update(Buffer.from(name, 'utf8'));
    this.hash.update(Buffer.from([0]));
    this.hash.update(len);
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

export function weightsChecksum(tensors: Iterable<NamedTensor>): string {
  const h = new WeightsHasher();
  for (const t of tensors) {
    h.beginTensor(t.name, t.data.byteLength);
    h.update(t.data);
  }
  return h.digest();
}

/** The PolicyVersion that describes `tensors` (checksum, sizes, now as creation time). */
export function describeWeights(version: number, step: number, tensors: NamedTensor[], createdUnixMs = Date.now()): PolicyVersion {
  return {
    version,
    step,
    checksum: weightsChecksum(tensors),
    totalBytes: String(tensors.reduce((n, t) => n + t.data.byteLength, 0)),
    createdUnixMs: String(createdUnixMs),
    tensorCount: tensors.length,
  };
}
