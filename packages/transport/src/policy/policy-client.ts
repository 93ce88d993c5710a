// PolicyService client: asks for the latest PolicyVersion and fetches a version's
// weights, reassembling the chunks into tensors while hashing them as they come.
// The result is checked against the PolicyVersion the caller holds: a stream that
// breaks the chunk protocol (wrong version, gap in offsets, overlong tensor,
// no final chunk) is E_BAD_MESSAGE; bytes or a length that do not match the
// checksum are E_CHECKSUM_MISMATCH; a version the server no longer holds is
// E_VERSION_UNAVAILABLE; an unreachable server is E_TRANSPORT_FAILED.
import * as grpc from '@grpc/grpc-js';
import { DatarusError, decodeMessage, encodeMessage, ErrorCode, type PolicyVersion, type WeightsChunk } from '@datarus/contracts';
import { GrpcClientConfig, parseConfig } from '../transport-config.js';
import { channelCredentials, fromServiceError } from '../grpc-credentials.js';
import { policyServiceDefinition } from './policy-definition.js';
import { WeightsHasher, type NamedTensor } from './weights-checksum.js';

export interface FetchOptions {
  /** Preferred chunk size in bytes (the server caps it); 0 = the server's default. */
  chunkBytes?: number;
  /** Whole-stream deadline, ms (default 10 minutes). */
  timeoutMs?: number;
  /** Called after each chunk with bytes received so far and the total. */
  onProgress?: (received: number, total: number) => void;
  /**
   * Called with each tensor as soon as its last byte has arrived, before the stream's
   * checksum is verified (the fetch still rejects if it then fails); the tensor is
   * not kept, and the result's `tensors` is empty. Lets a caller install weights one
   * tensor at a time instead of holding a second copy of all of them. An exception
   * it throws fails the fetch.
   */
  onTensor?: (tensor: NamedTensor) => void;
}

export interface FetchedWeights {
  version: PolicyVersion;
  tensors: NamedTensor[];
  /** Chunks received. */
  chunks: number;
}

const identity = (b: Buffer) => b;

export class PolicyClient {
  private readonly client: grpc.Client;

  constructor(config: Partial<GrpcClientConfig> = {}) {
    const c = parseConfig(GrpcClientConfig, config, 'grpc');
    this.client = new grpc.Client(c.address, channelCredentials(c.tls), {
      'grpc.max_receive_message_length': 8 << 20,
      // HTTP/2's default 64 KiB window stalls a weights stream every few frames.
      'grpc-node.flow_control_window': 64 << 20,
    });
  }

  /** The newest version the server holds (E_VERSION_UNAVAILABLE before the first). */
  latest(timeoutMs = 10_000): Promise<PolicyVersion> {
    const def = policyServiceDefinition.GetLatest;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Buffer, Buffer>(
        def.path,
        identity,
        identity,
        Buffer.from(encodeMessage('datarus.v1.Empty', {})),
        { deadline: Date.now() + timeoutMs },
        (err, value) => {
          if (err) return reject(fromServiceError(err, 'PolicyService.GetLatest'));
          try {
            resolve(decodeMessage('datarus.v1.PolicyVersion', value!));
          } catch (e) {
            reject(e);
          }
        },
      );
    });
  }

  /** Fetches and verifies the weights of `version` (as returned by latest()). */
  fetchWeights(version: PolicyVersion, opts: FetchOptions = {}): Promise<FetchedWeights> {
    const def = policyServiceDefinition.FetchWeights;
    const request = Buffer.from(encodeMessage('datarus.v1.FetchRequest', { version: version.version, chunkBytes: opts.chunkBytes ?? 0 }));
    const call = this.client.makeServerStreamRequest<Buffer, Buffer>(def.path, identity, identity, request, {
      deadline: Date.now() + (opts.timeoutMs ?? 600_000),
    });
    const total = Number(version.totalBytes);
    const assembler = new WeightsAssembler(version, opts.onTensor);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        call.cancel();
        reject(e);
      };
      call.on('data', (buf: Buffer) => {
        if (settled) return;
        try {
          assembler.push(decodeMessage('datarus.v1.WeightsChunk', buf));
          opts.onProgress?.(assembler.received, total);
        } catch (e) {
          fail(e);
        }
      });
      call.on('error', (err: grpc.ServiceError) => fail(fromServiceError(err, `PolicyService.FetchWeights(${version.version})`)));
      call.on('end', () => {
        if (settled) return;
        try {
          const tensors = assembler.finish();
          settled = true;
          resolve({ version, tensors, chunks: assembler.chunks });
        } catch (e) {
          fail(e);
        }
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Reassembles and hashes a WeightsChunk stream against the PolicyVersion it should match. */
export class WeightsAssembler {
  private readonly hasher = new WeightsHasher();
  private readonly tensors: NamedTensor[] = [];
  private tensorCount = 0;
  private current: { tensor: NamedTensor; filled: number } | null = null;
  private done = false;
  private readonly total: number;
  private announced = 0;
  received = 0;
  chunks = 0;

  /** `onTensor`: each complete tensor goes there instead of into finish()'s result (FetchOptions.onTensor). */
  constructor(
    private readonly expected: PolicyVersion,
    private readonly onTensor?: (tensor: NamedTensor) => void,
  ) {
    this.total = Number(expected.totalBytes);
  }

  private bad(msg: string): never {
    throw new DatarusError(ErrorCode.BadMessage, `weights stream of version ${this.expected.version}: ${msg}`);
  }

  /** Each tensor opens with exactly one chunk at offset 0 (an empty tensor is just that chunk). */
  push(c: WeightsChunk): void {
    this.chunks++;
    if (this.done) this.bad('chunk after the final one');
    if (c.version !== this.expected.version) this.bad(`chunk of version ${c.version}`);
    if (c.tensorName === '') {
      // the stream of a version without tensors
      if (!c.final || c.data.byteLength > 0) this.bad('chunk without a tensor name');
      this.done = true;
      return;
    }
    const offset = Number(c.offset);
    if (offset === 0) {
      this.checkCurrentComplete();
      const bytes = Number(c.tensorBytes);
      if (!Number.isSafeInteger(bytes) || this.announced + bytes > this.total) {
        throw new DatarusError(ErrorCode.ChecksumMismatch, `tensor ${c.tensorName} of ${c.tensorBytes} bytes overruns the version's ${this.total} bytes`);
      }
      this.announced += bytes;
      const tensor: NamedTensor = { name: c.tensorName, dtype: c.dtype, shape: c.shape, data: new Uint8Array(bytes) };
      if (!this.onTensor) this.tensors.push(tensor);
      this.tensorCount++;
      this.current = { tensor, filled: 0 };
      this.hasher.beginTensor(c.tensorName, bytes);
    }
    const cur = this.current;
    if (!cur || cur.tensor.name !== c.tensorName) this.bad(`chunk of ${c.tensorName} at ${offset} before its first chunk`);
    if (offset !== cur.filled) this.bad(`chunk of ${c.tensorName} at ${offset}, expected ${cur.filled}`);
    if (offset + c.data.byteLength > cur.tensor.data.byteLength) this.bad(`chunk of ${c.tensorName} runs past its ${cur.tensor.data.byteLength} bytes`);
    cur.tensor.data.set(c.data, offset);
    cur.filled += c.data.byteLength;
    this.received += c.data.byteLength;
    this.hasher.update(c.data);
    if (c.final) this.done = true;
    if (this.onTensor && cur.filled === cur.tensor.data.byteLength) {
      this.current = null; // complete, and not kept here
      this.onTensor(cur.tensor);
    }
  }

  private checkCurrentComplete(): void {
    const cur = this.current;
    if (cur && cur.filled !== cur.tensor.data.byteLength) this.bad(`tensor ${cur.tensor.name} ended at ${cur.filled} of ${cur.tensor.data.byteLength} bytes`);
  }

  /** The tensors (none when they went to onTensor), once the stream ended with a final chunk and matched the checksum. */
  finish(): NamedTensor[] {
    if (!this.done) this.bad('stream ended without a final chunk');
    this.checkCurrentComplete();
    const checksum = this.hasher.digest();
    if (checksum !== this.expected.checksum || this.received !== this.total || this.tensorCount !== this.expected.tensorCount) {
      throw new DatarusError(
        ErrorCode.ChecksumMismatch,
        `weights of version ${this.expected.version}: got ${checksum}, ${this.received} bytes, ${this.tensorCount} tensors; ` +
          `expected ${this.expected.checksum}, ${this.total} bytes, ${this.expected.tensorCount} tensors`,
      );
    }
    return this.tensors;
  }
}
