// The two built processes end to end against a real nats-server: a reward worker
// process serving the built-ins and a reward service process turn a RolloutGroup
// on ROLLOUTS into a ScoredGroup on SCORED, and both exit 0 on SIGTERM. Needs the
// build (`npx nx run reward:build`): it runs bin/*.js, which import dist/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { decodeMessage, type RolloutGroup } from '@datarus/contracts';
import { connectNats, JetStreamPublisher } from '@datarus/transport';
import { startNatsServer, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { suiteTempDir } from '../../../../test/support/temp-dir.js';
import { growthTask, reflection } from '../rules/trajectories.fixture.js';
import { curriculumWeights } from '../rules/curriculum.js';

const BIN = (name: string) => fileURLToPath(new URL(`../../bin/${name}.js`, import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

interface Running {
  proc: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(name: string, args: string[]): Running {
  const proc = spawn(process.execPath, [BIN(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += String(d)));
  proc.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, stderr: () => err, exit };
}

async function until(cond: () => boolean, ms: number, what: string, r?: Running): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${r ? `; stderr:\n${r.stderr()}` : ''}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

let server: NatsServerHandle;
let nc: NatsConnection;
const dir = suiteTempDir('reward-procs');
let configFile: string;
const running: Running[] = [];

beforeAll(async () => {
  expect(existsSync(DIST), 'packages/reward/dist is missing: run `npx nx run reward:build` first').toBe(true);
  server = await startNatsServer();
  nc = await connectNats({ url: server.url });
  configFile = join(dir(), 'run.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      steps: 40,
      nats: { url: server.url },
      reward: {
        // T = 0: the curriculum spans the run's steps
        curriculum: { totalSteps: 0 },
        workers: [
          { name: 'structural', role: 'structure', timeoutMs: 5000 },
          { name: 'hrm', role: 'semantic', timeoutMs: 5000 },
          { name: 'verifier', role: 'semantic', timeoutMs: 5000 },
        ],
      },
      consumer: { nakDelayMs: 200 },
    }),
  );
});

afterAll(async () => {
  for (const r of running) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
  await nc?.close();
  await server?.stop();
});

describe('reward service and reward worker processes', () => {
  it('score a group end to end and exit 0 on SIGTERM', async () => {
    const worker = launch('reward-worker', ['--config', configFile]);
    running.push(worker);
    await until(() => /serving verifier on NATS/.test(worker.stderr()), 20_000, 'the worker to serve', worker);
    const service = launch('reward-service', ['--config', configFile]);
    running.push(service);
    await until(() => /consuming ROLLOUTS as durable reward-service/.test(service.stderr()), 20_000, 'the service to consume', service);

    const group: RolloutGroup = {
      groupId: 'g-e2e',
      taskId: growthTask.id,
      policyVersion: 1,
      mode: 'MODE_REFLECTION',
      promptTokenIds: [1, 2],
      samples: [reflection.perfect, reflection.wrongAnswerGoodForm].map((text) => ({
        completionTokenIds: [7, 8],
        behaviourLogprobs: [-1, -1],
        lossMask: [true, true],
        finishReason: 'FINISH_REASON_STOP' as const,
        completionText: text,
        observationSpans: [],
      })),
      task: growthTask,
      worker: 'rollout-test',
      seed: '1',
      step: 10,
    };
    await new JetStreamPublisher(nc.jetstream()).publish('ROLLOUTS', group);
    await until(() => /scored g-e2e step=10\/40/.test(service.stderr()), 20_000, 'the service to log the group', service);

    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info('SCORED');
    expect(info.state.messages).toBe(1);
    const scored = decodeMessage('datarus.v1.ScoredGroup', (await jsm.streams.getMessage('SCORED', { seq: info.state.first_seq })).data);
    expect(scored.group!.groupId).toBe('g-e2e');
    expect(scored).toMatchObject({ step: 10, totalSteps: 40 });
    expect(scored.weights!.wStruct).toBeCloseTo(curriculumWeights(10, { totalSteps: 40 }).wStruct, 12);
    expect(scored.scores.map((s) => s.hasReward)).toEqual([true, true]);
    const verifier = scored.scores.map((s) => s.components.find((c) => c.name === 'verifier')?.value);
    expect(verifier).toEqual([1, 0]);
    expect(scored.scores[0].reward).toBeGreaterThan(scored.scores[1].reward);

    service.proc.kill('SIGTERM');
    worker.proc.kill('SIGTERM');
    const [s, w] = await Promise.all([service.exit, worker.exit]);
    expect(s, service.stderr()).toEqual({ code: 0, signal: null });
    expect(w, worker.stderr()).toEqual({ code: 0, signal: null });
    expect(service.stderr()).toMatch(/SIGTERM: draining[\s\S]*stopped: 1 groups, 2 samples \(0 without reward\)/);
    expect(worker.stderr()).toMatch(/stopped; NATS requests answered structural:2, hrm:2, verifier:2/);
  });

  it('refuse bad flags and a config without NATS with a message and exit 2', () => {
    const run = (name: string, ...args: string[]) => spawnSync(process.execPath, [BIN(name), ...args], { encoding: 'utf8', timeout: 30_000 });
    const cases = [
      run('reward-service', '--config', configFile, '--no-such-field', '3'),
      run('reward-service', '--steps', '10'), // no nats.url
      run('reward-worker', '--config', configFile, '--workers', 'structural,nope'),
      run('reward-worker', '--config', configFile, '--grpc', 'localhost'),
      run('reward-worker', '--config', configFile, '--workers'),
    ];
    for (const r of cases) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^reward-(service|worker): error E_[A-Z_]+: /);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(cases[1].stderr).toMatch(/E_INVALID_CONFIG: nats: the reward service needs a NATS url/);
    expect(cases[2].stderr).toMatch(/no built-in worker named "nope"/);
  });
});
