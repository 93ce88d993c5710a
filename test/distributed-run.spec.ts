// Cross-process runs on loopback: a real nats-server, the learner, 2 rollout
// workers, the reward service and 2 reward workers as separate processes, on a
// tiny model. Each test disturbs one part and checks that the run still trains
// every step on groups it trains once, and that nothing is lost or crashes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from './support/run-cluster.js';
import type { StepMetrics } from '../packages/learner/src/step-metrics.js';

const RUN_TIMEOUT = 180_000;

function metrics(c: Cluster): StepMetrics[] {
  return readFileSync(join(c.runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StepMetrics);
}

/** Every step present once, in order, and no group trained twice. */
function expectCompleteRun(rows: StepMetrics[], steps: number): string[] {
  const last = new Map<number, StepMetrics>();
  for (const r of rows) last.set(r.step, r);
  expect([...last.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  const ids = rows.flatMap((r) => r.groupIds);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of rows) {
    // MFU against the matmul rate the learner measured at start (the FLOP count itself
    // is checked in the engine's tests; here the other processes share the cores
    // while the peak is measured, so it is only known to be a positive number)
    expect(r.tokensPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(r.mfu)).toBe(true);
    expect(r.mfu).toBeGreaterThan(0);
    // Resident memory of the learner (this step's peak, at least its size at the end)
    // and of the rollout workers: a node process with libtorch loaded holds > 50 MiB.
    expect(r.memory.learnerPeakGiB).toBeGreaterThanOrEqual(r.memory.learnerGiB - 16 / 1024);
    expect(r.memory.learnerGiB).toBeGreaterThan(50 / 1024);
    expect(r.memory.rolloutPeakGiB).toBeGreaterThan(50 / 1024);
  }
  return ids;
}

async function learnerExit(c: Cluster, name = 'learner'): Promise<number | null> {
  const { code } = await c.proc(name).exited;
  return code;
}

describe('distributed run (separate processes, real nats-server, tiny model)', () => {
  let cluster: Cluster | null = null;
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('completes; a rollout worker killed with SIGKILL in mid-group loses no group, and it is trained once', async () => {
    cluster = await Cluster.start({
      steps: 4,
      config: { eval: { tasks: 2 }, grpo: { groupSize: 4, promptsPerStep: 2, maxCompletionLength: 96, lr: 1e-3, checkpointEvery: 0, microBatchSize: 4 } },
    });
    const victim = cluster.proc('rollout-0');
    const taking = await victim.waitFor(/taking \S+/);
    victim.kill('SIGKILL');
    const groupId = /taking (\S+)/.exec(taking)![1];
    expect(await learnerExit(cluster)).toBe(0);
    const ids = expectCompleteRun(metrics(cluster), 4);
    const published = victim.lines.some((l) => l.includes(`published ${groupId}`));
    console.log(`[rollout kill] ${groupId} ${published ? 'was published before the kill' : 'was in progress when killed'}; trained groups: ${ids.length}`);
    if (!published) {
      // redelivered to the other worker, which made and published it
      expect(cluster.proc('rollout-1').lines.some((l) => l.includes(`published ${groupId}`))).toBe(true);
    }
    expect(existsInRun(cluster, 'final/config.json')).toBe(true);
    expect(existsInRun(cluster, 'report.html')).toBe(true);
    // every trained sample in completions.jsonl, with the reward and advantage of its step
    const rows = metrics(cluster);
    const samples = readFileSync(join(cluster.runDir, 'completions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(samples).toHaveLength(4 * 2 * 4);
    for (const r of rows) {
      const mine = samples.filter((c) => c.step === r.step);
      expect(new Set(mine.map((c) => c.groupId))).toEqual(new Set(r.groupIds));
      const rewards = mine.map((c) => c.reward).filter((x) => x !== null);
      expect(rewards.reduce((a, b) => a + b, 0) / rewards.length).toBeCloseTo(r.reward, 9);
      expect(mine.every((c) => typeof c.text === 'string' && Number.isFinite(c.advantage))).toBe(true);
    }
    expect(readFileSync(join(cluster.runDir, 'report.html'), 'utf8')).toContain('Samples of step 4');
    // the held-out evaluation of the policy before and after training
    const evaluated = JSON.parse(readFileSync(join(cluster.runDir, 'eval', 'summary.json'), 'utf8'));
    for (const label of ['initial', 'final']) {
      expect(evaluated[label]).toMatchObject({ tasks: 2, samples: 2 });
      expect(readFileSync(join(cluster.runDir, 'eval', `${label}.jsonl`), 'utf8').trim().split('\n')).toHaveLength(2);
    }
  }, RUN_TIMEOUT);

  it('trains in agentic mode: each sample gets its own sandboxed kernel in the rollout worker', async () => {
    cluster = await Cluster.start({ steps: 2, rolloutWorkers: 1, rewardWorkers: 1, config: { tasks: { mode: 'agentic', kinds: ['statistics.dataset'] } } });
    expect(await learnerExit(cluster)).toBe(0);
    const rows = metrics(cluster);
    expectCompleteRun(rows, 2);
    expect(rows.every((r) => r.groupIds.length === 2 && r.missingRewards === 0)).toBe(true);
    expect(cluster.proc('rollout-0').lines.some((l) => /published it\.1\.0\.0 .*\(agentic, tools/.test(l))).toBe(true);
  }, RUN_TIMEOUT);

  it('two data-parallel learner ranks train one policy: each its share of the groups, gradients all-reduced, the same weights at the end', async () => {
    cluster = await Cluster.start({ steps: 3, learnerRanks: 2 });
    expect(await learnerExit(cluster, 'learner')).toBe(0);
    expect(await learnerExit(cluster, 'learner-1')).toBe(0);
    expectCompleteRun(metrics(cluster), 3);
    expect(cluster.proc('learner-1').lines.some((l) => /rank 1: step 3 trained/.test(l))).toBe(true);
    const a = readFileSync(join(cluster.runDir, 'final/model.safetensors'));
    const b = readFileSync(join(cluster.runDir, 'rank-1/final/model.safetensors'));
    const initial = readFileSync(join(cluster.runDir, 'initial/model.safetensors'));
    expect(a.equals(initial)).toBe(false);
    expect(a.equals(b)).toBe(true);
  }, RUN_TIMEOUT);

  it('a reward worker killed mid-run: its requests are retried on the other copy and every sample is scored', async () => {
    cluster = await Cluster.start({ steps: 4 });
    await cluster.proc('learner').waitFor(/step 1\/4/);
    cluster.proc('reward-worker-0').kill('SIGKILL');
    expect(await learnerExit(cluster)).toBe(0);
    const rows = metrics(cluster);
    expectCompleteRun(rows, 4);
    expect(rows.reduce((a, r) => a + r.missingRewards, 0)).toBe(0);
  }, RUN_TIMEOUT);

  it('the learner killed with SIGKILL and restarted resumes from its last checkpoint', async () => {
    cluster = await Cluster.start({ steps: 6 });
    const first = cluster.proc('learner');
    await first.waitFor(/step 3\/6/);
    first.kill('SIGKILL');
    await first.exited;
    const second = cluster.startLearner();
    await second.waitFor(/resumed from checkpoint at step 2/);
    expect(await learnerExit(cluster)).toBe(0);
    const rows = metrics(cluster);
    expectCompleteRun(rows, 6);
    // the second incarnation trained steps 3..6 on groups it requested itself
    const resumedRows = rows.filter((r) => r.groupIds.every((id) => id.split('.')[1] === '2'));
    expect(resumedRows.map((r) => r.step)).toEqual([3, 4, 5, 6]);
  }, RUN_TIMEOUT);

  it('survives a nats-server restart, and garbage on every subject goes to the dead-letter subject', async () => {
    cluster = await Cluster.start({ steps: 5 });
    const learner = cluster.proc('learner');
    await learner.waitFor(/step 1\/5/);
    const nc: NatsConnection = await connect({ servers: cluster.nats.url });
    for (const s of ['datarus.v1.tasks', 'datarus.v1.rollouts', 'datarus.v1.scored']) nc.publish(s, new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    await nc.flush();
    await nc.close();
    await learner.waitFor(/step 2\/5/);
    await cluster.nats.restart({ hard: true, downMs: 1000 });
    expect(await learnerExit(cluster)).toBe(0);
    expectCompleteRun(metrics(cluster), 5);
    // every process is still alive (none crashed on garbage or on the restart)
    for (const p of cluster.procs.filter((x) => x.name !== 'learner')) expect(p.child.exitCode).toBeNull();
    const dlq = await connect({ servers: cluster.nats.url });
    const jsm = await dlq.jetstreamManager();
    const info = await jsm.streams.info('DLQ');
    const reasons: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage('DLQ', { seq });
      reasons.push(`${m.subject} ${m.header.get('datarus-dlq-code')} ${m.header.get('datarus-dlq-reason')}`);
    }
    await dlq.close();
    console.log(`[dlq]\n${reasons.join('\n')}`);
    for (const s of ['tasks', 'rollouts', 'scored']) expect(reasons.some((r) => r.startsWith(`datarus.v1.dlq.${s} E_BAD_MESSAGE`))).toBe(true);
  }, RUN_TIMEOUT);
});

function existsInRun(c: Cluster, rel: string): boolean {
  try {
    readFileSync(join(c.runDir, rel));
    return true;
  } catch {
    return false;
  }
}
