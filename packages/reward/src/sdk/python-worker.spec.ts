// The example Python worker (packages/reward/examples/python) and a TypeScript
// worker answer the same request; the service blends them. Sets up its venv with
// scripts/pyworker.sh (idempotent) and runs a real nats-server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import type { ScoreRequest } from '@datarus/contracts';
import { startNatsServer, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { serveRewardWorker, type Serving } from './serve-reward-worker.js';
import { serveNats, type NatsServing } from './serve-nats.js';
import { structuralWorker } from '../workers/builtin-workers.js';
import { RewardService } from '../service/reward-service.js';
import { growthTask, reflection } from '../rules/trajectories.fixture.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const python = `${repo}.cache/pyworker/bin/python`;
const script = fileURLToPath(new URL('../../examples/python/answer_form_worker.py', import.meta.url));

let server: NatsServerHandle;
let nc: NatsConnection;
let py: ChildProcess;
let ts: Serving;
let structural: NatsServing;

beforeAll(async () => {
  execFileSync('bash', [`${repo}scripts/pyworker.sh`], { stdio: 'inherit', timeout: 300_000 });
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  py = spawn(python, [script, '--nats', server.url, '--name', 'py-answer-form'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    py.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('ready')) resolve();
    });
    py.once('exit', (code) => reject(new Error(`python worker exited with ${code}`)));
  });
  ts = await serveRewardWorker('ts-brevity', (req) => ({ score: req.trajectory.length < 400 ? 1 : 0.5, components: { chars: Math.min(1, req.trajectory.length / 1000) } }), { nats: server.url });
  structural = await serveNats(structuralWorker, server.url);
});

afterAll(async () => {
  if (py && py.exitCode === null) {
    py.kill('SIGTERM');
    await new Promise((r) => py.once('exit', r));
  }
  await ts?.close();
  await structural?.close();
  await nc?.close();
  await server?.stop();
});

const request = (trajectory: string): ScoreRequest => ({
  task: growthTask,
  trajectory,
  mode: 'MODE_REFLECTION',
  completionTokens: 0,
  referenceTokens: 0,
  step: 25,
  totalSteps: 100,
  observationSpans: [],
  requestId: 'py',
});

describe('a Python reward worker beside a TypeScript one', () => {
  it('both score the same request and the service blends them', async () => {
    const service = new RewardService(
      {
        workers: [
          { name: 'structural', role: 'structure' },
          { name: 'py-answer-form', role: 'semantic', weight: 2, encoding: 'json' },
          { name: 'ts-brevity', role: 'semantic', weight: 1 },
        ],
        curriculum: { totalSteps: 100 },
      },
      { nats: nc },
    );
    const good = await service.score(request(reflection.perfect));
    const c = Object.fromEntries(good.components.map((x) => [x.name, x.value]));
    expect(good.missing).toEqual({});
    expect(c['py-answer-form']).toBe(1);
    expect(c['py-answer-form.numeric']).toBe(1);
    expect(c['ts-brevity']).toBe(1);
    const wStruct = 0.1 + 0.6 * Math.cos(Math.PI / 8) ** 2;
    expect(good.wStruct).toBeCloseTo(wStruct, 12);
    expect(good.reward).toBeCloseTo(wStruct * 1 + (1 - wStruct) * 1, 12);

    const wordy = await service.score(request('<think>\nhmm\n</think>\n<answer>about a quarter, give or take</answer>'));
    const w = Object.fromEntries(wordy.components.map((x) => [x.name, x.value]));
    expect(w['py-answer-form']).toBe(0.5);
    expect(wordy.reward).toBeCloseTo(wStruct * 1 + (1 - wStruct) * ((2 * 0.5 + 1 * 1) / 3), 12);
  });

  it('a protobuf request to the JSON-only Python worker is a no-score with a reason', async () => {
    const service = new RewardService({ workers: [{ name: 'py-answer-form', role: 'semantic', encoding: 'protobuf' }] }, { nats: nc });
    const s = await service.score(request(reflection.perfect));
    expect(s.hasReward).toBe(false);
    expect(s.missing['py-answer-form'].code).toBe('E_BAD_MESSAGE');
    expect(s.missing['py-answer-form'].reason).toContain('JSON only');
  });
});
