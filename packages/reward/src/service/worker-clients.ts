// How the reward service reaches one worker: in process, over NATS request/reply
// or over gRPC. Every client answers a ScoreResponse and never throws: a timeout,
// a transport failure or an undecodable reply becomes a no-score with its code.
// A local worker that blocks the event loop cannot be timed out: run such code
// behind NATS or gRPC.
import * as grpc from '@grpc/grpc-js';
import { headers, type NatsConnection } from 'nats';
import { ErrorCode, decodeMessage, encodeMessage, RewardServiceMethods, grpcMethodPath, type ScoreRequest, type ScoreResponse } from '@datarus/contracts';
import { ENCODING_HEADER, rewardWorkerSubject, type WireEncoding } from '../subjects.js';
import { noScoreResponse, runRewardWorker, toScoreResponse, type RewardWorker } from '../sdk/reward-worker.js';
import { decodeBody, encodeBody } from '../sdk/wire.js';

export interface WorkerClient {
  readonly name: string;
  score(request: ScoreRequest, timeoutMs: number): Promise<ScoreResponse>;
  close?(): Promise<void> | void;
}

/** Re-checks a decoded reply: a score in [0, 1] or a no-score, finite components. */
export function checkReply(name: string, reply: ScoreResponse): ScoreResponse {
  if (reply.result === 'noScore' && reply.noScore) return noScoreResponse(name, reply.noScore.code || ErrorCode.WorkerFailed, reply.noScore.reason);
  if (reply.result !== 'score') return noScoreResponse(name, ErrorCode.BadMessage, 'reply has neither score nor no_score');
  return toScoreResponse(name, { score: reply.score, components: reply.components });
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export function localClient(worker: RewardWorker): WorkerClient {
  return {
    name: worker.name,
    score: (request, timeoutMs) =>
      withTimeout(runRewardWorker(worker, request), timeoutMs, () => noScoreResponse(worker.name, ErrorCode.WorkerTimeout, `no answer within ${timeoutMs} ms`)),
  };
}

export function natsClient(name: string, nc: NatsConnection, encoding: WireEncoding = 'protobuf'): WorkerClient {
  const subject = rewardWorkerSubject(name);
  return {
    name,
    async score(request, timeoutMs) {
      const h = headers();
      h.set(ENCODING_HEADER, encoding);
      let data: Uint8Array;
      try {
        const msg = await nc.request(subject, encodeBody('datarus.v1.ScoreRequest', request, encoding), { timeout: timeoutMs, headers: h });
        data = msg.data;
        const replyEncoding: WireEncoding = msg.headers?.get(ENCODING_HEADER) === 'json' ? 'json' : encoding;
        try {
          return checkReply(name, decodeBody('datarus.v1.ScoreResponse', data, replyEncoding));
        } catch (e) {
          return noScoreResponse(name, ErrorCode.BadMessage, `undecodable reply: ${(e as Error).message}`);
        }
      } catch (e) {
        const code = String((e as { code?: unknown }).code ?? '');
        if (code === 'TIMEOUT' || code === '408') return noScoreResponse(name, ErrorCode.WorkerTimeout, `no answer within ${timeoutMs} ms`);
        if (code === '503') return noScoreResponse(name, ErrorCode.WorkerUnavailable, `no worker serves ${subject}`);
        return noScoreResponse(name, ErrorCode.WorkerFailed, `request failed: ${(e as Error).message}`);
      }
    },
  };
}

export function grpcClient(name: string, address: string): WorkerClient {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const path = grpcMethodPath(RewardServiceMethods.Score.service, 'Score');
  const identity = (b: Buffer) => b;
  return {
    name,
    score(request, timeoutMs) {
      return new Promise<ScoreResponse>((resolve) => {
        client.makeUnaryRequest<Buffer, Buffer>(
          path,
          identity,
          identity,
          Buffer.from(encodeMessage('datarus.v1.ScoreRequest', request)),
          { deadline: Date.now() + timeoutMs },
          (err, value) => {
            if (err) {
              const timeout = err.code === grpc.status.DEADLINE_EXCEEDED;
              const unavailable = err.code === grpc.status.UNAVAILABLE;
              resolve(
                noScoreResponse(
                  name,
                  timeout ? ErrorCode.WorkerTimeout : unavailable ? ErrorCode.WorkerUnavailable : ErrorCode.WorkerFailed,
                  timeout ? `no answer within ${timeoutMs} ms` : `gRPC ${grpc.status[err.code]}: ${err.details}`,
                ),
              );
              return;
            }
            try {
              resolve(checkReply(name, decodeMessage('datarus.v1.ScoreResponse', value!)));
            } catch (e) {
              resolve(noScoreResponse(name, ErrorCode.BadMessage, `undecodable reply: ${(e as Error).message}`));
            }
          },
        );
      });
    },
    close: () => client.close(),
  };
}
