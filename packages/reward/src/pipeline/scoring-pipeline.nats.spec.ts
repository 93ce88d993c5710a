// The scoring pipeline against a real nats-server: ROLLOUTS → scores from reward
// workers served over NATS → SCORED; one ScoredGroup per group however often it
// arrives; garbage to the dead letters; a silent worker; a SCORED publish that
// fails and is retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JetStreamManager, NatsConnection } from 'nats';
import { decodeMessage, dlqSubject, Header, streamSubject, type RolloutGroup, type ScoredGroup, type ScoreRequest } from '@datarus/contracts';
import { connectNats, ensureStreams, JetStreamPublisher, type ConsumerEvent } from '@datarus/transport';
import { startNatsServer, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { growthTask, reflection } from '../rules/trajectories.fixture.js';
import { curriculumWeights } from '../rules/curriculum.js';
import { RewardService } from '../service/reward-service.js';
import { serveRewardWorker, type Serving } from '../sdk/serve-reward-worker.js';
import { builtinWorkers } from '../workers/builtin-workers.js';
import { REWARD_SERVICE_DURABLE, startScoringPipeline, type ScoringPipeline } from './scoring-pipeline.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
let publisher: JetStreamPublisher;
const servings: Serving[] = [];
const pipelines: ScoringPipeline[] = [];
/** Requests the 'spy' worker received. */
const seen: ScoreRequest[] = [];

const CONSUMER = { nakDelayMs: 200, ackWaitMs: 5000, maxDeliver: 5 };

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function sample(text: string, lossMask: boolean[] = [true, true, true], observationSpans: { start: number; end: number }[] = []) {
  return {
    completionTokenIds: lossMask.map((_, i) => 100 + i),
    behaviourLogprobs: lossMask.map((m) => (m ? -0.5 : 0)),
    lossMask,
    finishReason: 'FINISH_REASON_STOP' as const,
    completionText: text,
    observationSpans,
  };
}

function rolloutGroup(groupId: string, step: number, texts: string[]): RolloutGroup {
  return {
    groupId,
    taskId: growthTask.id,
    policyVersion: 1,
    mode: 'MODE_REFLECTION',
    promptTokenIds: [1, 2, 3],
    samples: texts.map((t) => sample(t)),
    task: growthTask,
    worker: 'rollout-test',
    seed: '7',
    step,
  };
}

/** Every ScoredGroup on SCORED, in stream order. */
async function scoredGroups(): Promise<ScoredGroup[]> {
  const info = await jsm.streams.info('SCORED');
  const out: ScoredGroup[] = [];
  if (info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage('SCORED', { seq }).catch(() => null);
    if (m) out.push(decodeMessage('datarus.v1.ScoredGroup', m.data));
  }
  return out;
}

async function start(service: RewardService, extra: Partial<Parameters<typeof startScoringPipeline>[0]> = {}): Promise<ScoringPipeline> {
  const p = await startScoringPipeline({ nats: nc, service, streams: {}, consumer: CONSUMER, totalSteps: 100, ...extra });
  pipelines.push(p);
  return p;
}

const natsWorkers = (timeoutMs = 5000) =>
  new RewardService(
    {
      workers: [
        { name: 'structural', role: 'structure', timeoutMs },
        { name: 'hrm', role: 'semantic', timeoutMs },
        { name: 'verifier', role: 'semantic', timeoutMs },
        { name: 'spy', role: 'semantic', weight: 0.5, timeoutMs },
      ],
      curriculum: { totalSteps: 100 },
    },
    { nats: nc },
  );

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, reconnectWaitMs: 100 });
  jsm = await nc.jetstreamManager();
  publisher = new JetStreamPublisher(nc.jetstream());
  for (const w of builtinWorkers()) servings.push(await serveRewardWorker(w.name, w.score, { nats: server.url }));
  servings.push(await serveRewardWorker('spy', (req) => (seen.push(req), 0.5), { nats: server.url }));
  servings.push(await serveRewardWorker('silent', () => new Promise<number>(() => {}), { nats: server.url }));
});

afterAll(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
  for (const s of servings) await s.nats?.close(200); // short grace: the silent worker never settles
  await nc?.close();
  await server?.stop();
});

beforeEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
  for (const s of ['TASKS', 'ROLLOUTS', 'SCORED', 'DLQ']) await jsm.streams.delete(s).catch(() => {});
  await ensureStreams(jsm, {});
  seen.length = 0;
});

describe('scoring pipeline', () => {
  it('scores every sample of a group and publishes the ScoredGroup, then acks the rollout', async () => {
    const service = natsWorkers();
    const pipeline = await start(service);
    const agentic = sample('x<observation>5</observation>y', [true, false, false, true], [{ start: 1, end: 29 }]);
    const group = rolloutGroup('g-basic', 30, [reflection.perfect, reflection.wrongAnswerGoodForm, reflection.missingTags]);
    group.samples.push(agentic);
    await publisher.publish('ROLLOUTS', group);
    await until(() => pipeline.stats().groups === 1, 10_000, 'one group scored');

    const [scored, ...more] = await scoredGroups();
    expect(more).toHaveLength(0);
    const want = curriculumWeights(30, { totalSteps: 100 });
    expect(scored.weights!.wStruct).toBeCloseTo(want.wStruct, 12);
    expect(scored.weights!.wSem).toBeCloseTo(want.wSem, 12);
    expect(scored).toMatchObject({ step: 30, totalSteps: 100 });
    expect(scored.group!.groupId).toBe('g-basic');
    expect(scored.group!.samples.map((s) => s.completionText)).toEqual(group.samples.map((s) => s.completionText));
    expect(scored.scores).toHaveLength(4);
    const comp = scored.scores.map((s) => Object.fromEntries(s.components.map((c) => [c.name, c.value])));
    for (const c of comp) expect(Object.keys(c)).toEqual(expect.arrayContaining(['w_struct', 'w_sem', 'structural', 'hrm', 'verifier', 'spy']));
    expect(comp.map((c) => c.verifier)).toEqual([1, 0, 1, 0]);
    expect(comp[0].structural).toBe(1);
    expect(comp[2].structural).toBeLessThan(1);
    for (const [i, s] of scored.scores.entries()) {
      expect(s.hasReward).toBe(true);
      expect(s.step).toBe(30);
      expect(s.missing).toEqual({});
      // R = w_struct · structural + w_sem · weighted mean of the semantic side (hrm 1, verifier 1, spy 0.5)
      const sem = (comp[i].hrm + comp[i].verifier + 0.5 * comp[i].spy) / 2.5;
      expect(s.reward).toBeCloseTo(want.wStruct * comp[i].structural + want.wSem * sem, 12);
    }
    expect(scored.scores[0].reward).toBeGreaterThan(scored.scores[1].reward);

    // what the workers were asked
    const byId = new Map(seen.map((r) => [r.requestId, r]));
    expect([...byId.keys()].sort()).toEqual(['g-basic/0', 'g-basic/1', 'g-basic/2', 'g-basic/3']);
    expect(byId.get('g-basic/3')).toMatchObject({ completionTokens: 2, step: 30, totalSteps: 100, mode: 'MODE_REFLECTION', observationSpans: [{ start: 1, end: 29 }] });
    expect(byId.get('g-basic/0')!.task?.id).toBe(growthTask.id);

    await until(async () => (await jsm.streams.info('ROLLOUTS')).state.messages === 0, 5000, 'the rollout to be acked (work queue empty)');
    expect(pipeline.stats()).toMatchObject({ groups: 1, samples: 4, samplesWithoutReward: 0, missing: {}, duplicatePublishes: 0 });
    expect(pipeline.durable).toBe(REWARD_SERVICE_DURABLE);
  });

  it('yields one ScoredGroup for a group published twice or delivered again after a restart', async () => {
    const service = natsWorkers();
    const first = await start(service);
    const group = rolloutGroup('g-twice', 5, [reflection.perfect]);
    expect((await publisher.publish('ROLLOUTS', group)).duplicate).toBe(false);
    expect((await publisher.publish('ROLLOUTS', group)).duplicate).toBe(true); // same msg id: stored once
    await until(() => first.stats().groups === 1, 10_000, 'the group scored');
    await first.stop();
    pipelines.splice(pipelines.indexOf(first), 1);

    // A copy that got past the rollout side's duplicate window (another msg id), taken by a
    // fresh process that never saw the group: it scores it again, SCORED drops the publish.
    const second = await start(service);
    await publisher.publish('ROLLOUTS', group, { msgId: 'g-twice#again' });
    await until(() => second.stats().groups === 1, 10_000, 'the copy scored');
    expect(second.stats().duplicatePublishes).toBe(1);
    // and the same process drops a further copy before scoring it
    await publisher.publish('ROLLOUTS', group, { msgId: 'g-twice#third' });
    await until(() => second.stats().consumer.duplicates === 1, 10_000, 'the third copy skipped');

    const scored = await scoredGroups();
    expect(scored.map((s) => s.group!.groupId)).toEqual(['g-twice']);
    expect(second.stats().groups).toBe(1);
  });

  it('sends garbage on the rollouts subject to the dead letters with a reason and keeps going', async () => {
    const events: ConsumerEvent[] = [];
    const logs: string[] = [];
    const pipeline = await start(natsWorkers(), { onEvent: (e) => events.push(e), log: (l) => logs.push(l) });
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
    await publisher.publishBytes(streamSubject('ROLLOUTS'), garbage, { msgId: 'garbage-1' });
    await publisher.publish('ROLLOUTS', rolloutGroup('g-after-garbage', 1, [reflection.perfect]));
    await until(() => pipeline.stats().groups === 1 && pipeline.stats().consumer.deadLettered === 1, 10_000, 'one scored, one dead letter');

    const info = await jsm.streams.info('DLQ');
    expect(info.state.messages).toBe(1);
    const dead = await jsm.streams.getMessage('DLQ', { seq: info.state.first_seq });
    expect(dead.subject).toBe(dlqSubject('ROLLOUTS'));
    expect(Array.from(dead.data)).toEqual(Array.from(garbage));
    expect(dead.header.get(Header.DlqCode)).toBe('E_BAD_MESSAGE');
    expect(dead.header.get(Header.DlqReason).length).toBeGreaterThan(0);
    expect(dead.header.get(Header.DlqConsumer)).toBe(REWARD_SERVICE_DURABLE);
    expect(events.some((e) => e.type === 'dead-lettered')).toBe(true);
    expect(logs.some((l) => l.startsWith('dead-lettered rollout'))).toBe(true);
    expect(logs.some((l) => l.startsWith('scored g-after-garbage step=1/100'))).toBe(true);
    expect((await scoredGroups()).map((s) => s.group!.groupId)).toEqual(['g-after-garbage']);
  });

  it('turns a worker that does not answer into a missing score within its timeout', async () => {
    const onlySilent = new RewardService({ workers: [{ name: 'silent', role: 'semantic', timeoutMs: 300 }] }, { nats: nc });
    const p1 = await start(onlySilent);
    const t0 = Date.now();
    await publisher.publish('ROLLOUTS', rolloutGroup('g-silent', 2, [reflection.perfect, reflection.wrongAnswerGoodForm]));
    await until(() => p1.stats().groups === 1, 5000, 'the group scored without its worker');
    const took = Date.now() - t0;
    console.log(`group with a silent worker (timeout 300 ms) scored in ${took} ms`);
    expect(took).toBeLessThan(3000);
    const [s] = await scoredGroups();
    expect(s.scores.map((x) => x.hasReward)).toEqual([false, false]);
    expect(s.scores[0].missing.silent.code).toBe('E_WORKER_TIMEOUT');
    expect(p1.stats()).toMatchObject({ samplesWithoutReward: 2, missing: { silent: { E_WORKER_TIMEOUT: 2 } } });
    await p1.stop();
    pipelines.splice(pipelines.indexOf(p1), 1);

    // beside a worker that answers, the blend goes on without the silent one
    const mixed = new RewardService(
      { workers: [{ name: 'structural', role: 'structure' }, { name: 'silent', role: 'semantic', timeoutMs: 300 }], curriculum: { totalSteps: 100 } },
      { nats: nc },
    );
    const p2 = await start(mixed);
    await publisher.publish('ROLLOUTS', rolloutGroup('g-half-silent', 2, [reflection.missingTags]));
    await until(() => p2.stats().groups === 1, 5000, 'the group scored');
    const half = (await scoredGroups()).find((x) => x.group!.groupId === 'g-half-silent')!;
    const structural = half.scores[0].components.find((c) => c.name === 'structural')!.value;
    expect(half.scores[0]).toMatchObject({ hasReward: true, missing: { silent: { code: 'E_WORKER_TIMEOUT' } } });
    expect(half.scores[0].reward).toBeCloseTo(structural, 12); // the semantic side is empty: structure takes its weight
  });

  it('naks a group whose ScoredGroup cannot be published and scores it again once SCORED is back', async () => {
    const events: ConsumerEvent[] = [];
    const pipeline = await start(natsWorkers(), { streams: undefined, consumer: { ...CONSUMER, maxDeliver: 100 }, onEvent: (e) => events.push(e) });
    await jsm.streams.delete('SCORED');
    await publisher.publish('ROLLOUTS', rolloutGroup('g-retry', 4, [reflection.perfect]));
    await until(() => pipeline.stats().consumer.failed >= 1, 10_000, 'a failed publish');
    expect(pipeline.stats().groups).toBe(0);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', groupId: 'g-retry' });
    expect((retry as { error: string }).error).toMatch(/publish on datarus\.v1\.scored failed/);
    expect((await jsm.streams.info('ROLLOUTS')).state.messages).toBe(1); // not acked
    await ensureStreams(jsm, {});
    await until(() => pipeline.stats().groups === 1, 10_000, 'the group scored after SCORED came back');
    expect((await scoredGroups()).map((s) => s.group!.groupId)).toEqual(['g-retry']);
    await until(async () => (await jsm.streams.info('ROLLOUTS')).state.messages === 0, 5000, 'the rollout acked');
  });
});
