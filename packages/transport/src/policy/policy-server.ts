// Serves PolicyService over gRPC: GetLatest answers the newest PolicyVersion;
// FetchWeights streams one version's tensors in chunks of the requested size
// (capped by the server), each tensor in order of offset, the first chunk of a
// tensor carrying its dtype, shape and length, the last chunk of the stream
// marked final. Writes wait for the transport to drain (a slow client slows the
// stream, never grows the server's memory) or for the stream to end (a client
// that stopped reading and cancelled does not hold the stream, and the weights it
// reads, forever). Failures travel as a gRPC status
// with the stable code in metadata (E_VERSION_UNAVAILABLE = NOT_FOUND).
import * as grpc from '@grpc/grpc-js';
import { DatarusError, decodeMessage, encodeMessage, ErrorCode, type WeightsChunk } from '@datarus/contracts';
import { GrpcServerConfig, parseConfig, PolicyServiceConfig } from '../transport-config.js';
import { serverCredentials, toServiceError } from '../grpc-credentials.js';
import { policyServiceDefinition } from './policy-definition.js';
import type { PolicySource } from './policy-store.js';
import type { NamedTensor } from './weights-checksum.js';

export interface PolicyServing {
  /** host:port actually bound. */
  address: string;
  /** Streams served to completion so far. */
  readonly streamsServed: number;
  close(): Promise<void>;
}

export interface ServePolicyOptions {
  server?: Partial<GrpcServerConfig>;
  policy?: Partial<PolicyServiceConfig>;
}

/**
 * Resolves when the stream can take more data, or when it has ended without (the
 * client cancelled or went away), so that a stream whose client stopped reading
 * still finishes on the server and lets go of its weights.
 */
function drainedOrEnded(call: grpc.ServerWritableStream<Buffer, Buffer>): Promise<void> {
  const events = ['drain', 'cancelled', 'close', 'error'] as const;
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) call.off(e, done);
      resolve();
    };
    for (const e of events) call.on(e, done);
  });
}

/** Chunks of one tensor: [offset, end) ranges, at least one (an empty tensor still announces itself). */
function* ranges(n: number, size: number): Generator<[number, number]> {
  if (n === 0) yield [0, 0];
  for (let off = 0; off < n; off += size) yield [off, Math.min(n, off + size)];
}

export async function servePolicy(source: PolicySource, opts: ServePolicyOptions = {}): Promise<PolicyServing> {
  const cfg = parseConfig(GrpcServerConfig, opts.server ?? {}, 'grpc');
  const policy = parseConfig(PolicyServiceConfig, opts.policy ?? {}, 'policy');
  let streamsServed = 0;
  const server = new grpc.Server({ 'grpc.max_send_message_length': policy.maxChunkBytes + 64 * 1024 });

  const getLatest = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    void (async () => {
      try {
        decodeMessage('datarus.v1.Empty', call.request);
        const latest = await source.latest();
        if (!latest) throw new DatarusError(ErrorCode.VersionUnavailable, 'no policy version published yet');
        callback(null, Buffer.from(encodeMessage('datarus.v1.PolicyVersion', latest)));
      } catch (e) {
        const notFound = e instanceof DatarusError && e.code === ErrorCode.VersionUnavailable;
        callback(toServiceError(e, notFound ? grpc.status.NOT_FOUND : grpc.status.INTERNAL));
      }
    })();
  };

  const fetchWeights = (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    const write = async (chunk: WeightsChunk) => {
      if (call.write(Buffer.from(encodeMessage('datarus.v1.WeightsChunk', chunk))) || call.cancelled) return;
      await drainedOrEnded(call);
    };
    void (async () => {
      try {
        const req = decodeMessage('datarus.v1.FetchRequest', call.request);
        const size = Math.min(policy.maxChunkBytes, req.chunkBytes > 0 ? req.chunkBytes : policy.defaultChunkBytes);
        const tensors = await source.weights(req.version);
        if (!tensors) throw new DatarusError(ErrorCode.VersionUnavailable, `policy version ${req.version} is not served`);
        try {
          // One tensor of lookahead, to know which chunk is the stream's last.
          let held: NamedTensor | null = null;
          const emit = async (t: NamedTensor, last: boolean) => {
            for (const [from, to] of ranges(t.data.byteLength, size)) {
              if (call.cancelled) return;
              const first = from === 0;
              await write({
                version: req.version,
                tensorName: t.name,
                offset: String(from),
                data: t.data.subarray(from, to),
                final: last && to === t.data.byteLength,
                dtype: first ? t.dtype : '',
                shape: first ? t.shape : [],
                tensorBytes: first ? String(t.data.byteLength) : '0',
              });
            }
          };
          for await (const t of tensors as AsyncIterable<NamedTensor>) {
            if (held) await emit(held, false);
            held = t;
          }
          if (held) await emit(held, true);
          else await write({ version: req.version, tensorName: '', offset: '0', data: new Uint8Array(0), final: true, dtype: '', shape: [], tensorBytes: '0' });
        } finally {
          source.release?.(req.version);
        }
        if (!call.cancelled) streamsServed++;
        call.end();
      } catch (e) {
        const notFound = e instanceof DatarusError && e.code === ErrorCode.VersionUnavailable;
        call.emit('error', toServiceError(e, notFound ? grpc.status.NOT_FOUND : grpc.status.INTERNAL));
      }
    })();
  };

  server.addService(policyServiceDefinition, { GetLatest: getLatest, FetchWeights: fetchWeights });
  const host = cfg.bind.slice(0, cfg.bind.lastIndexOf(':'));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(cfg.bind, serverCredentials(cfg.tls), (err, p) =>
      err ? reject(new DatarusError(ErrorCode.TransportFailed, `cannot bind PolicyService on ${cfg.bind}: ${err.message}`, { cause: err })) : resolve(p),
    ),
  );
  return {
    address: `${host}:${port}`,
    get streamsServed() {
      return streamsServed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
