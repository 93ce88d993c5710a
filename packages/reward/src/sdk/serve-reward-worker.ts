// The one-liner: serveRewardWorker('my-worker', fn, { nats: url }) (and/or
// { grpc: 'host:port' }) serves a scoring function on the transports named.
import type { NatsConnection } from 'nats';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { defineRewardWorker, type ScoreFn } from './reward-worker.js';
import { serveGrpc, type GrpcServing } from './serve-grpc.js';
import { serveNats, type NatsServing } from './serve-nats.js';

export interface ServeOptions {
  /** NATS server URL(s) or an open connection. */
  nats?: string | NatsConnection;
  /** gRPC listen address, e.g. "0.0.0.0:50051" or "127.0.0.1:0". */
  grpc?: string;
}

export interface Serving {
  nats?: NatsServing;
  grpc?: GrpcServing;
  close(): Promise<void>;
}

export async function serveRewardWorker(name: string, score: ScoreFn, options: ServeOptions): Promise<Serving> {
  if (!options.nats && !options.grpc) throw new DatarusError(ErrorCode.InvalidArgument, 'serveRewardWorker: give nats, grpc or both');
  const worker = defineRewardWorker(name, score);
  const nats = options.nats ? await serveNats(worker, options.nats) : undefined;
  const grpc = options.grpc ? await serveGrpc(worker, options.grpc) : undefined;
  return {
    nats,
    grpc,
    async close() {
      await Promise.all([nats?.close(), grpc?.close()]);
    },
  };
}
