// Serves a reward worker as a gRPC RewardService (insecure, for a trusted
// network; put TLS in front for anything else).
import * as grpc from '@grpc/grpc-js';
import { ErrorCode, decodeMessage, encodeMessage, type ScoreResponse } from '@datarus/contracts';
import { rewardServiceDefinition } from './grpc-definition.js';
import { noScoreResponse, runRewardWorker, type RewardWorker } from './reward-worker.js';

export interface GrpcServing {
  /** host:port actually bound (port 0 picks a free one). */
  address: string;
  close(): Promise<void>;
}

export async function serveGrpc(worker: RewardWorker, address = '127.0.0.1:0'): Promise<GrpcServing> {
  const server = new grpc.Server();
  server.addService(rewardServiceDefinition, {
    Score: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      void (async () => {
        let response: ScoreResponse;
        try {
          response = await runRewardWorker(worker, decodeMessage('datarus.v1.ScoreRequest', call.request));
        } catch (e) {
          response = noScoreResponse(worker.name, ErrorCode.BadMessage, (e as Error).message);
        }
        callback(null, Buffer.from(encodeMessage('datarus.v1.ScoreResponse', response)));
      })();
    },
  });
  const host = address.slice(0, address.lastIndexOf(':'));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
