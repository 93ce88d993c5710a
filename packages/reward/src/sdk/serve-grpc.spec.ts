import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { grpcMethodPath, decodeMessage, type ScoreRequest } from '@datarus/contracts';
import { serveRewardWorker, type Serving } from './serve-reward-worker.js';
import { serveGrpc, type GrpcServing } from './serve-grpc.js';
import { structuralWorker, hrmWorker } from '../workers/builtin-workers.js';
import { RewardService } from '../service/reward-service.js';
import { growthTask, reflection } from '../rules/trajectories.fixture.js';

const req: ScoreRequest = {
  task: growthTask,
  trajectory: reflection.perfect,
  mode: 'MODE_REFLECTION',
  completionTokens: 0,
  referenceTokens: 0,
  step: 50,
  totalSteps: 100,
  observationSpans: [],
  requestId: 'g',
};

let structural: GrpcServing;
let hrm: GrpcServing;
const user: Serving[] = [];

beforeAll(async () => {
  structural = await serveGrpc(structuralWorker);
  hrm = await serveGrpc(hrmWorker());
  user.push(await serveRewardWorker('thrower', () => { throw new Error('kaput'); }, { grpc: '127.0.0.1:0' }));
  user.push(await serveRewardWorker('hanger', () => new Promise<number>(() => {}), { grpc: '127.0.0.1:0' }));
});

afterAll(async () => {
  for (const s of [structural, hrm, ...user]) await s?.close();
});

describe('reward workers over gRPC', () => {
  it('serve RewardService/Score and blend at the request step', async () => {
    const service = new RewardService({
      workers: [
        { name: 'structural', role: 'structure', transport: 'grpc', address: structural.address },
        { name: 'hrm', role: 'semantic', transport: 'grpc', address: hrm.address },
      ],
    });
    const s = await service.score({ ...req, trajectory: reflection.wrongAnswerGoodForm });
    expect(s.wStruct).toBeCloseTo(0.4, 12);
    expect(s.reward).toBeCloseTo(0.4 * 1 + 0.6 * 0.3, 12);
    await service.close();
  });

  it('turns a throw, a hang and a dead address into counted missing scores', async () => {
    const service = new RewardService({
      workers: [
        { name: 'structural', role: 'structure', transport: 'grpc', address: structural.address },
        { name: 'thrower', role: 'semantic', transport: 'grpc', address: user[0].grpc!.address },
        { name: 'hanger', role: 'semantic', transport: 'grpc', address: user[1].grpc!.address, timeoutMs: 300 },
        { name: 'dead', role: 'semantic', transport: 'grpc', address: '127.0.0.1:1', timeoutMs: 1000 },
      ],
    });
    const s = await service.score(req);
    expect(Object.fromEntries(Object.entries(s.missing).map(([k, v]) => [k, v.code]))).toEqual({
      thrower: 'E_WORKER_FAILED',
      hanger: 'E_WORKER_TIMEOUT',
      dead: expect.stringMatching(/E_WORKER_UNAVAILABLE|E_WORKER_TIMEOUT/),
    });
    expect(s.reward).toBe(1); // the semantic side is empty, so structure carries all the weight
    expect(service.stats().missing.hanger).toEqual({ E_WORKER_TIMEOUT: 1 });
    await service.close();
  });

  it('answers undecodable bytes with a no-score, not a transport error', async () => {
    const client = new grpc.Client(hrm.address, grpc.credentials.createInsecure());
    const reply = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(grpcMethodPath('datarus.v1.RewardService', 'Score'), (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), (e, v) => (e ? reject(e) : resolve(v!))),
    );
    expect(decodeMessage('datarus.v1.ScoreResponse', reply).noScore?.code).toBe('E_BAD_MESSAGE');
    client.close();
  });
});
