import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import type { ScoreRequest } from '@datarus/contracts';
import { generateTask } from '@datarus/datagen';
import { startNatsServer, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { serveRewardWorker, type Serving } from '../sdk/serve-reward-worker.js';
import { serveNats } from '../sdk/serve-nats.js';
import { builtinWorkers } from '../workers/builtin-workers.js';
import { rewardWorkerSubject } from '../subjects.js';
import { RewardService } from './reward-service.js';
import { reflection, growthTask } from '../rules/trajectories.fixture.js';
import { hostileCompletions } from '../rules/hostile.fixture.js';
import { decodeBody } from '../sdk/wire.js';

let server: NatsServerHandle;
let nc: NatsConnection;
const servings: Serving[] = [];
const closers: (() => Promise<void>)[] = [];

const request = (trajectory: string, step = 0): ScoreRequest => ({
  task: growthTask,
  trajectory,
  mode: 'MODE_REFLECTION',
  completionTokens: 0,
  referenceTokens: 0,
  step,
  totalSteps: 100,
  observationSpans: [],
  requestId: 'r',
});

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  for (const w of builtinWorkers()) closers.push((await serveNats(w, server.url)).close);
  // user-written workers: a function plus one line each
  servings.push(await serveRewardWorker('brevity', (req) => Math.min(1, 200 / Math.max(1, req.trajectory.length)), { nats: server.url }));
  servings.push(await serveRewardWorker('thrower', () => { throw new Error('boom'); }, { nats: server.url }));
  servings.push(await serveRewardWorker('hanger', () => new Promise<number>(() => {}), { nats: server.url }));
  servings.push(await serveRewardWorker('outofrange', () => 1.5, { nats: server.url }));
  // a raw responder that answers bytes that are no ScoreResponse
  const raw = nc.subscribe(rewardWorkerSubject('garbage'), { callback: (_e, m) => m.respond(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])) });
  closers.push(async () => raw.unsubscribe());
  await nc.flush();
});

afterAll(async () => {
  for (const s of servings) await s.close();
  for (const c of closers) await c();
  await nc?.close();
  await server?.stop();
});

describe('reward service over NATS', () => {
  it('blends the built-in workers and a user worker with the curriculum weights, reporting each component', async () => {
    const service = new RewardService(
      {
        workers: [
          { name: 'structural', role: 'structure' },
          { name: 'hrm', role: 'semantic', weight: 3 },
          { name: 'brevity', role: 'semantic', weight: 1, encoding: 'json' },
        ],
        curriculum: { totalSteps: 100 },
      },
      { nats: nc },
    );
    const s0 = await service.score(request(reflection.arithmeticSlip, 0));
    const s100 = await service.score(request(reflection.arithmeticSlip, 100));
    const c = Object.fromEntries(s0.components.map((x) => [x.name, x.value]));
    expect(c['structural']).toBe(1);
    expect(c['hrm.steps']).toBeCloseTo(2 / 3, 12);
    expect(c['brevity']).toBe(1);
    const sem = (3 * c['hrm'] + c['brevity']) / 4;
    expect(s0.wStruct).toBeCloseTo(0.7, 12);
    expect(s0.reward).toBeCloseTo(0.7 * 1 + 0.3 * sem, 12);
    expect(s100.reward).toBeCloseTo(0.1 * 1 + 0.9 * sem, 12);
    expect(s0.missing).toEqual({});
  });

  it('turns a throwing, hanging, out-of-range, garbage or absent worker into a counted missing score and keeps serving', async () => {
    const service = new RewardService(
      {
        workers: [
          { name: 'structural', role: 'structure' },
          { name: 'hrm', role: 'semantic' },
          { name: 'thrower', role: 'semantic' },
          { name: 'hanger', role: 'semantic', timeoutMs: 300 },
          { name: 'outofrange', role: 'semantic' },
          { name: 'garbage', role: 'semantic' },
          { name: 'nobody', role: 'semantic', timeoutMs: 1000 },
        ],
      },
      { nats: nc },
    );
    const t0 = Date.now();
    const s = await service.score(request(reflection.perfect, 0));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(s.hasReward).toBe(true);
    expect(Object.fromEntries(Object.entries(s.missing).map(([k, v]) => [k, v.code]))).toEqual({
      thrower: 'E_WORKER_FAILED',
      hanger: 'E_WORKER_TIMEOUT',
      outofrange: 'E_BAD_MESSAGE',
      garbage: 'E_BAD_MESSAGE',
      nobody: 'E_WORKER_UNAVAILABLE',
    });
    expect(s.missing.thrower.reason).toContain('boom');
    expect(s.reward).toBeCloseTo(1, 12); // only structural and hrm scored, both 1
    await service.score(request(reflection.perfect, 10));
    expect(service.stats().missing).toEqual({
      thrower: { E_WORKER_FAILED: 2 },
      hanger: { E_WORKER_TIMEOUT: 2 },
      outofrange: { E_BAD_MESSAGE: 2 },
      garbage: { E_BAD_MESSAGE: 2 },
      nobody: { E_WORKER_UNAVAILABLE: 2 },
    });
    expect(service.stats().scored).toBe(2);
  });

  it('spreads requests over the copies of a worker in its queue group', async () => {
    const a = await serveRewardWorker('shared', () => 0.25, { nats: server.url });
    const b = await serveRewardWorker('shared', () => 0.25, { nats: server.url });
    const service = new RewardService({ workers: [{ name: 'shared', role: 'semantic' }] }, { nats: nc });
    const results = await Promise.all(Array.from({ length: 40 }, () => service.score(request('x'))));
    expect(results.every((r) => r.reward === 0.25)).toBe(true);
    console.log(`queue group split 40 requests as ${a.nats!.handled} + ${b.nats!.handled}`);
    expect(a.nats!.handled + b.nats!.handled).toBe(40);
    expect(a.nats!.handled).toBeGreaterThan(0);
    expect(b.nats!.handled).toBeGreaterThan(0);
    await a.close();
    await b.close();
  });

  it('survives hostile completions and undecodable requests', async () => {
    const service = new RewardService({ workers: [{ name: 'structural', role: 'structure' }, { name: 'hrm', role: 'semantic' }] }, { nats: nc });
    let worst = 0;
    for (const text of Object.values(hostileCompletions)) {
      const t0 = performance.now();
      const s = await service.score({ ...request(text), mode: 'MODE_UNSPECIFIED' });
      worst = Math.max(worst, performance.now() - t0);
      expect(s.missing).toEqual({});
      expect(s.reward).toBeGreaterThanOrEqual(0);
      expect(s.reward).toBeLessThanOrEqual(1);
    }
    console.log(`hostile completions over NATS: worst round trip ${worst.toFixed(1)} ms`);
    const reply = await nc.request(rewardWorkerSubject('hrm'), new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { timeout: 2000 });
    expect(decodeBody('datarus.v1.ScoreResponse', reply.data, 'protobuf').noScore?.code).toBe('E_BAD_MESSAGE');
    // a trajectory field of invalid UTF-8 bytes, straight on the wire (field 2, then mode = 1)
    const bad = Uint8Array.from([0x12, 0x06, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x18, 0x01]);
    const scored = decodeBody('datarus.v1.ScoreResponse', (await nc.request(rewardWorkerSubject('structural'), bad, { timeout: 2000 })).data, 'protobuf');
    expect(scored.result).toBe('score');
    expect(scored.score).toBe(0);
    const ok = await service.score(request(reflection.perfect));
    expect(ok.reward).toBeCloseTo(1, 12);
  });

  it('scores generated tasks end to end', async () => {
    const service = new RewardService({ workers: [{ name: 'structural', role: 'structure' }, { name: 'hrm', role: 'semantic' }, { name: 'verifier', role: 'semantic' }] }, { nats: nc });
    for (let i = 0; i < 10; i++) {
      const task = generateTask(3, i);
      for (const ref of task.references) {
        const s = await service.score({ ...request(ref.text), task, mode: ref.mode });
        expect(s.reward).toBeGreaterThan(0.9);
      }
    }
  });
});
